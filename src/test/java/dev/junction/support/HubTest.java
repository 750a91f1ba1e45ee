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
        "junction.connectors-dir=src/test/resources/it/connectors",
        "junction.routes-dir=src/test/resources/it/routes",
        "junction.ops-api-key=" + Keys.OPS,
})
public abstract class HubTest {

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
