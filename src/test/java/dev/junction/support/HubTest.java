package dev.junction.support;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A whole hub on a random port, with the test partners of src/test/resources/it. Subclasses choose the database
 * with a {@code @DynamicPropertySource} for {@code spring.datasource.*}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        HubTest.CONNECTORS, HubTest.ROUTES, HubTest.OPS_KEY,
})
public abstract class HubTest {

    /** The test partners' settings, shared with hubs that tests start themselves ({@link StartedHub}). */
    public static final String CONNECTORS = "junction.connectors-dir=src/test/resources/it/connectors";
    public static final String ROUTES = "junction.routes-dir=src/test/resources/it/routes";
    public static final String OPS_KEY = "junction.ops-api-key=" + Keys.OPS;

    @LocalServerPort
    protected int port;

    @Autowired
    protected JdbcTemplate jdbc;

    protected HubClient hub() {
        return new HubClient(port);
    }

    protected long messages() {
        return jdbc.queryForObject("SELECT COUNT(*) FROM message", Long.class);
    }

    protected long messagesWithKey(String partner, String key) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM message WHERE partner = ? AND idempotency_key = ?", Long.class, partner, key);
    }
}
