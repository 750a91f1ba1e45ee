package dev.junction;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.support.EmbeddedPostgresSupport;
import dev.junction.support.JournalRows;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Upgrading a journal in place: messages accepted by a hub at an earlier schema version keep their payload and headers
 * when the body moves to its own table (V4), on both databases, and nothing else of the row changes.
 */
class JournalMigrationTest {

    @TempDir
    Path dir;

    @Test
    void movesBodiesOfExistingMessagesOnH2() {
        upgradesKeepingEveryBody(new DriverManagerDataSource("jdbc:h2:file:" + dir.resolve("journal") + ";WRITE_DELAY=0", "sa", ""));
    }

    @Test
    void movesBodiesOfExistingMessagesOnPostgres() {
        upgradesKeepingEveryBody(new DriverManagerDataSource(EmbeddedPostgresSupport.newDatabase("migration"), "postgres", "postgres"));
    }

    private void upgradesKeepingEveryBody(DriverManagerDataSource db) {
        Flyway.configure().dataSource(db).target("3").load().migrate();
        JdbcTemplate jdbc = new JdbcTemplate(db);
        OffsetDateTime at = OffsetDateTime.of(2026, 11, 20, 12, 0, 0, 0, ZoneOffset.UTC);
        for (String status : new String[] {"accepted", "dead"}) {
            jdbc.update("""
                    INSERT INTO message (receipt_id, kind, partner, event, route, idempotency_key, correlation_id, content_type,
                                         payload, headers, status, attempts, received_at, next_attempt_at)
                    VALUES (?, 'webhook', 'acme', 'order-created', 'acme-order-created', ?, 'corr', 'application/json', ?, ?, ?, 2, ?, ?)""",
                    "id-" + status, "key-" + status, ("{\"s\":\"" + status + "\"}").getBytes(StandardCharsets.UTF_8),
                    "{\"x-shop\":\"" + status + "\"}", status, at, at);
        }

        Flyway.configure().dataSource(db).load().migrate();

        for (String status : new String[] {"accepted", "dead"}) {
            String id = "id-" + status;
            Map<String, Object> body = JournalRows.columns(jdbc.queryForMap("SELECT payload, headers FROM message_body WHERE receipt_id = ?", id));
            assertThat(new String((byte[]) body.get("payload"), StandardCharsets.UTF_8)).isEqualTo("{\"s\":\"" + status + "\"}");
            assertThat(body.get("headers")).isEqualTo("{\"x-shop\":\"" + status + "\"}");
            Map<String, Object> row = JournalRows.columns(jdbc.queryForMap("SELECT * FROM message WHERE receipt_id = ?", id));
            assertThat(row).doesNotContainKeys("payload", "headers")
                    .containsEntry("status", status).containsEntry("idempotency_key", "key-" + status).containsEntry("attempts", 2);
        }
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM message_body", Long.class)).isEqualTo(2);
    }
}
