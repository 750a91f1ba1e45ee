package dev.junction.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.JunctionApplication;
import dev.junction.support.HubTest;
import dev.junction.support.JournalRows;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.test.context.TestPropertySource;

/** Finished messages past the retention period go, with their attempts; pending and dead ones stay whatever their age. */
// Its own database: the purge tests empty the journal.
@TestPropertySource(properties = {"junction.retention.batch=10", "junction.data-dir=target/retention-test-data-${random.uuid}"})
class MessageRetentionTest extends HubTest {

    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");

    @Autowired
    MessageRetention retention;

    @BeforeEach
    void empty() {
        jdbc.update("DELETE FROM delivery_attempt");
        jdbc.update("DELETE FROM message_body");
        jdbc.update("DELETE FROM message");
    }

    @Test
    void purgesFinishedMessagesPastRetentionWithTheirAttemptsAndKeepsEverythingElse() {
        Instant old = NOW.minus(Duration.ofDays(8));
        Instant recent = NOW.minus(Duration.ofDays(6));
        String oldDelivered = insert(old, "delivered");
        String oldDiscarded = insert(old, "discarded");
        String oldDead = insert(old, "dead");
        String oldRetrying = insert(old, "retrying");
        String oldAccepted = insert(old, "accepted");
        String recentDelivered = insert(recent, "delivered");
        // Just inside the window: one millisecond after the cutoff.
        String edgeDelivered = insert(NOW.minus(Duration.ofDays(7)).plusMillis(1), "delivered");

        assertThat(retention.purge(NOW)).isEqualTo(2);

        assertThat(jdbc.queryForList("SELECT receipt_id FROM message", String.class))
                .containsExactlyInAnyOrder(oldDead, oldRetrying, oldAccepted, recentDelivered, edgeDelivered);
        assertThat(jdbc.queryForList("SELECT DISTINCT receipt_id FROM delivery_attempt", String.class))
                .containsExactlyInAnyOrder(oldDead, oldRetrying, oldAccepted, recentDelivered, edgeDelivered)
                .doesNotContain(oldDelivered, oldDiscarded);
        assertThat(jdbc.queryForList("SELECT receipt_id FROM message_body", String.class))
                .containsExactlyInAnyOrder(oldDead, oldRetrying, oldAccepted, recentDelivered, edgeDelivered);
        assertThat(retention.purge(NOW)).as("a second run finds nothing more").isZero();
    }

    @Test
    void purgesInBatchesUntilNothingIsLeft() {
        Instant old = NOW.minus(Duration.ofDays(30));
        for (int i = 0; i < 25; i++) {
            insert(old.plusSeconds(i), "delivered");
        }
        // A batch of 10 (the class's property): three transactions.
        assertThat(retention.purge(NOW)).isEqualTo(25);
        assertThat(messages()).isZero();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM message_body", Long.class)).isZero();
    }

    @Test
    void cutoffIdSortsAboveEveryReceiptIdOfEarlierMilliseconds() {
        Instant at = Instant.parse("2026-01-01T00:00:00.500Z");
        String cutoff = MessageRetention.lowestReceiptIdAt(at);
        assertThat(receiptIdAt(at.minusMillis(1))).isLessThan(cutoff);
        assertThat(receiptIdAt(at)).isGreaterThanOrEqualTo(cutoff);
        assertThat(receiptIdAt(at.plusMillis(1))).isGreaterThan(cutoff);
    }

    @Test
    void refusesARetentionShorterThanTheIdempotencyWindow() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(JunctionApplication.class).run(
                "--server.port=0", "--junction.data-dir=target/retention-refused-" + UUID.randomUUID(),
                "--junction.connectors-dir=src/test/resources/it/connectors", "--junction.routes-dir=src/test/resources/it/routes",
                "--junction.retention.messages=1h", "--junction.idempotency.retention=24h").close())
                .hasStackTraceContaining("junction.retention.messages (PT1H) must be at least junction.idempotency.retention (PT24H)");
    }

    private String insert(Instant receivedAt, String status) {
        String id = receiptIdAt(receivedAt);
        Timestamp at = Timestamp.from(receivedAt);
        jdbc.update("""
                INSERT INTO message (receipt_id, kind, partner, event, route, idempotency_key, correlation_id, content_type,
                                     status, attempts, received_at)
                VALUES (?, 'webhook', 'acme', 'order-created', 'acme-order-created', ?, ?, 'application/json', ?, 1, ?)""",
                id, id, id, status, at);
        JournalRows.body(jdbc, id, "{}".getBytes(StandardCharsets.UTF_8));
        jdbc.update("""
                INSERT INTO delivery_attempt (receipt_id, replay, attempt, started_at, duration_ms, outcome)
                VALUES (?, 0, 1, ?, 3, 'retry')""", id, at);
        return id;
    }

    /** A UUIDv7 string as the journal makes them: the millisecond first, random bits after. */
    static String receiptIdAt(Instant at) {
        UUID random = UUID.randomUUID();
        long msb = (at.toEpochMilli() << 16) | 0x7000L | (random.getMostSignificantBits() & 0x0FFFL);
        return new UUID(msb, random.getLeastSignificantBits()).toString();
    }
}
