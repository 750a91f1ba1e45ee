package dev.junction.delivery;

import dev.junction.intake.AcceptedMessage;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Delivery state in the database: claiming by lease, and recording each outcome with its attempt in one transaction.
 * Claims are conditional updates, so two instances on one PostgreSQL never both win the same message; outcome writes
 * are guarded by the lease owner, so an instance that lost its lease cannot overwrite the new owner's state.
 */
@Component
class DeliveryStore {

    private static final String PENDING = "status IN ('accepted', 'retrying')";
    private static final String CLAIMABLE = PENDING + " AND next_attempt_at <= :now AND (lease_expires_at IS NULL OR lease_expires_at < :now)";

    private final NamedParameterJdbcTemplate jdbc;
    private final TransactionTemplate tx;

    DeliveryStore(NamedParameterJdbcTemplate jdbc, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.tx = tx;
    }

    /** Partners with due, unleased messages, and how many. */
    Map<String, Integer> duePartners(Instant now) {
        Map<String, Integer> due = new LinkedHashMap<>();
        jdbc.query("SELECT partner, COUNT(*) FROM message WHERE " + CLAIMABLE + " GROUP BY partner",
                Map.of("now", ts(now)), rs -> {
                    due.put(rs.getString(1), rs.getInt(2));
                });
        return due;
    }

    /** Claims up to {@code max} due messages of a partner, oldest due first, and loads them. */
    List<Job> claim(String partner, int max, Instant now, String owner, Instant leaseUntil, java.util.function.Predicate<String> skip) {
        List<String> candidates = jdbc.queryForList("SELECT receipt_id FROM message WHERE partner = :partner AND " + CLAIMABLE
                        + " ORDER BY next_attempt_at LIMIT :max",
                Map.of("partner", partner, "now", ts(now), "max", max), String.class);
        List<String> claimed = new ArrayList<>();
        for (String id : candidates) {
            if (skip.test(id)) {
                continue;
            }
            int won = jdbc.update("UPDATE message SET lease_owner = :owner, lease_expires_at = :until WHERE receipt_id = :id AND "
                    + CLAIMABLE, Map.of("owner", owner, "until", ts(leaseUntil), "id", id, "now", ts(now)));
            if (won == 1) {
                claimed.add(id);
            }
        }
        if (claimed.isEmpty()) {
            return List.of();
        }
        return jdbc.query("""
                SELECT receipt_id, partner, event, route, correlation_id, content_type, payload, received_at, attempts, replays
                FROM message WHERE receipt_id IN (:ids) AND lease_owner = :owner ORDER BY next_attempt_at""",
                Map.of("ids", claimed, "owner", owner), (rs, n) -> job(rs, leaseUntil));
    }

    /** Extends this instance's lease before a delivery that waited in line; false if the claim was lost meanwhile. */
    boolean renew(String receiptId, String owner, Instant now, Instant until) {
        return jdbc.update("UPDATE message SET lease_expires_at = :until WHERE receipt_id = :id AND lease_owner = :owner AND " + PENDING,
                Map.of("until", ts(until), "id", receiptId, "owner", owner)) == 1;
    }

    void delivered(Job job, Attempt attempt, Instant now, String owner) {
        finish(job, attempt, owner, """
                UPDATE message SET status = 'delivered', attempts = :attempts, delivered_at = :now, next_attempt_at = NULL,
                       last_error = NULL, lease_owner = NULL, lease_expires_at = NULL
                WHERE receipt_id = :id AND lease_owner = :owner""", params(job, attempt, now, owner));
    }

    void retry(Job job, Attempt attempt, Instant now, Instant next, String owner) {
        finish(job, attempt, owner, """
                UPDATE message SET status = 'retrying', attempts = :attempts, next_attempt_at = :next, last_error = :error,
                       lease_owner = NULL, lease_expires_at = NULL
                WHERE receipt_id = :id AND lease_owner = :owner""", params(job, attempt, now, owner).addValue("next", ts(next)));
    }

    void dead(Job job, Attempt attempt, Instant now, String owner) {
        finish(job, attempt, owner, """
                UPDATE message SET status = 'dead', attempts = :attempts, dead_at = :now, next_attempt_at = NULL, last_error = :error,
                       lease_owner = NULL, lease_expires_at = NULL
                WHERE receipt_id = :id AND lease_owner = :owner""", params(job, attempt, now, owner));
    }

    /** Not attempted: back in line after {@code next}, with the attempt count unchanged. */
    void defer(Job job, Instant next, String reason, String owner) {
        jdbc.update("""
                UPDATE message SET status = 'retrying', next_attempt_at = :next, last_error = :reason, lease_owner = NULL, lease_expires_at = NULL
                WHERE receipt_id = :id AND lease_owner = :owner""",
                Map.of("next", ts(next), "reason", reason, "id", job.receiptId(), "owner", owner));
    }

    /** Gives claimed messages back without an attempt (shutdown, or a full bulkhead queue). */
    void release(List<String> receiptIds, String owner) {
        if (!receiptIds.isEmpty()) {
            jdbc.update("UPDATE message SET lease_owner = NULL, lease_expires_at = NULL WHERE receipt_id IN (:ids) AND lease_owner = :owner",
                    Map.of("ids", receiptIds, "owner", owner));
        }
    }

    private void finish(Job job, Attempt attempt, String owner, String update, MapSqlParameterSource params) {
        tx.executeWithoutResult(status -> {
            if (jdbc.update(update, params) == 1) {
                jdbc.update("""
                        INSERT INTO delivery_attempt (receipt_id, replay, attempt, started_at, duration_ms, outcome, http_status, error_class, error_message)
                        VALUES (:id, :replay, :attempt, :started, :duration, :outcome, :status, :errorClass, :errorMessage)""",
                        new MapSqlParameterSource("id", job.receiptId()).addValue("replay", job.replays())
                                .addValue("attempt", attempt.number()).addValue("started", ts(attempt.startedAt()))
                                .addValue("duration", attempt.durationMs()).addValue("outcome", attempt.outcome())
                                .addValue("status", attempt.httpStatus()).addValue("errorClass", attempt.errorClass())
                                .addValue("errorMessage", attempt.errorMessage()));
            }
        });
    }

    private static MapSqlParameterSource params(Job job, Attempt attempt, Instant now, String owner) {
        return new MapSqlParameterSource("id", job.receiptId()).addValue("owner", owner).addValue("now", ts(now))
                .addValue("attempts", attempt.number()).addValue("error", attempt.summary());
    }

    private static Job job(ResultSet rs, Instant leasedUntil) throws SQLException {
        AcceptedMessage m = new AcceptedMessage(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getBytes(7), rs.getObject(8, OffsetDateTime.class).toInstant());
        return new Job(m, rs.getInt(9), rs.getInt(10), leasedUntil);
    }

    static OffsetDateTime ts(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
