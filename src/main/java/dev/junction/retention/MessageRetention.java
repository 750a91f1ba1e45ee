package dev.junction.retention;

import dev.junction.JunctionProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Deletes finished messages (delivered, or discarded by ops) received longer ago than {@code junction.retention.messages},
 * with their attempt history, so the journal does not grow without bound. Pending and dead messages are never purged:
 * they still await delivery or an ops decision. The ops audit is kept.
 *
 * <p>Receipt ids are UUIDv7, ordered by the time they were received, so "received before the cutoff" is a range of the
 * primary key and needs no index of its own. Deleting in small batches keeps each transaction short beside intake.
 * Safe on several instances at once: a row deleted twice is simply not found the second time.
 */
@Component
class MessageRetention {

    private static final Logger log = LoggerFactory.getLogger(MessageRetention.class);

    private final NamedParameterJdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final JunctionProperties.Retention settings;
    private final Counter purged;

    MessageRetention(NamedParameterJdbcTemplate jdbc, TransactionTemplate tx, Clock clock, JunctionProperties properties,
                     MeterRegistry meters) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
        this.settings = properties.retention();
        Duration keys = properties.idempotency().retention();
        if (settings.messages().compareTo(keys) < 0) {
            // A purged message takes its idempotency key with it: a partner's retry inside the key window would be stored twice.
            throw new IllegalStateException("junction.retention.messages (" + settings.messages()
                    + ") must be at least junction.idempotency.retention (" + keys + ")");
        }
        this.purged = Counter.builder("junction.retention.purged").description("Finished messages deleted after the retention period")
                .register(meters);
    }

    @Scheduled(initialDelayString = "${junction.retention.interval:10m}", fixedDelayString = "${junction.retention.interval:10m}")
    void scheduled() {
        try {
            int n = purge(clock.instant());
            if (n > 0) {
                log.info("Purged {} finished message(s) received before {}", n, clock.instant().minus(settings.messages()));
            }
        } catch (RuntimeException e) {
            // The database may be briefly unavailable; the next run catches up.
            log.warn("Message retention run failed: {}", e.toString());
        }
    }

    /** Deletes every finished message received before {@code now - retention}; returns how many. */
    int purge(Instant now) {
        String cutoff = lowestReceiptIdAt(now.minus(settings.messages()));
        int total = 0;
        while (true) {
            List<String> ids = jdbc.queryForList("""
                    SELECT receipt_id FROM message WHERE receipt_id < :cutoff AND status IN ('delivered', 'discarded')
                    ORDER BY receipt_id LIMIT :batch""", Map.of("cutoff", cutoff, "batch", settings.batch()), String.class);
            if (ids.isEmpty()) {
                return total;
            }
            Integer deleted = tx.execute(status -> {
                // Re-checked: a message replayed since the select is pending again and must stay, with its body and
                // its attempt history.
                int messages = jdbc.update("DELETE FROM message WHERE receipt_id IN (:ids) AND status IN ('delivered', 'discarded')",
                        Map.of("ids", ids));
                for (String table : List.of("delivery_attempt", "message_body", "agent_callback")) {
                    jdbc.update("DELETE FROM " + table + " t WHERE t.receipt_id IN (:ids)"
                            + " AND NOT EXISTS (SELECT 1 FROM message m WHERE m.receipt_id = t.receipt_id)", Map.of("ids", ids));
                }
                return messages;
            });
            total += deleted == null ? 0 : deleted;
            purged.increment(deleted == null ? 0 : deleted);
            if (ids.size() < settings.batch()) {
                return total;
            }
        }
    }

    /** The smallest UUIDv7 string of that millisecond: every receipt id received earlier sorts below it. */
    static String lowestReceiptIdAt(Instant at) {
        String hex = String.format("%012x", at.toEpochMilli());
        return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-0000-0000-000000000000";
    }
}
