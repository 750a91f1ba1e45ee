package dev.junction.support;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A whole hub on a random port with the ERP test vendors of src/test/resources/erp (fresh-foods with a change feed,
 * brewery without one) and a plain webhook partner (market). Subclasses choose the database with a
 * {@code @DynamicPropertySource} for {@code spring.datasource.*}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        ErpHubTest.CONNECTORS, ErpHubTest.ROUTES, HubTest.OPS_KEY,
})
public abstract class ErpHubTest {

    public static final String CONNECTORS = "junction.connectors-dir=src/test/resources/erp/connectors";
    public static final String ROUTES = "junction.routes-dir=src/test/resources/erp/routes";

    @LocalServerPort
    protected int port;

    @Autowired
    protected JdbcTemplate jdbc;

    protected HubClient hub() {
        return new HubClient(port);
    }

    /** What an agent of fresh-foods sends: its token as a bearer. */
    protected HubClient.Res agentPost(String vendor, String token, String path, String json) {
        return hub().postJson("/agents/" + vendor + path, json, "Authorization", "Bearer " + token);
    }

    protected HubClient.Res opsGet(String path) {
        return hub().get(path, "X-API-Key", Keys.OPS);
    }

    protected HubClient.Res opsPost(String path, String json) {
        return hub().postJson(path, json, "X-API-Key", Keys.OPS);
    }
}
