package dev.junction.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.partner.Partner;
import dev.junction.partner.PartnerRegistry;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * An order's last leg (ERP-AGENTS.md, "Orders to the agent"): the agent's callback, or its absence, decides what the
 * agent's 2xx left open. {@code completed} delivers the message with the ERP's reference; {@code failed} with
 * {@code retryable} (or no callback before the deadline) is a failed attempt, retried per the partner's policy; not
 * retryable, a dead letter. The state lives in the database: the message row under a row lock (so a callback and the
 * hub's record of the 2xx cannot miss each other) and the callback in {@code agent_callback}, so a callback that
 * overtakes the 2xx's record is applied once it lands, a repeat is recognised and a contradiction refused, and a
 * deadline passes once on whichever instance sweeps first, across restarts.
 */
@Component
public class AgentCallbacks {

    private static final Logger log = LoggerFactory.getLogger(AgentCallbacks.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SWEEP_BATCH = 500;

    private final NamedParameterJdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final PartnerRegistry partners;
    private final DeliveryMetrics metrics;
    private final Clock clock;

    AgentCallbacks(NamedParameterJdbcTemplate jdbc, TransactionTemplate tx, PartnerRegistry partners, DeliveryMetrics metrics, Clock clock) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.partners = partners;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** What an agent said of an order; {@code status} is completed or failed. */
    public record Callback(String receiptId, String status, String erpReference, String erpDocumentId, String errorCode,
                           String errorMessage, boolean retryable) {

        public boolean completed() {
            return "completed".equals(status);
        }

        /** Completed, or failed for good: the order's final word. */
        boolean settles() {
            return completed() || !retryable;
        }

        /** Another callback saying the same: same status and, when completed, the same ERP reference. */
        boolean sameAs(Callback other) {
            return status.equals(other.status) && (!completed() || Objects.equals(erpReference, other.erpReference));
        }
    }

    /** How a callback was taken; every kind but the last two is a 200 for the agent. */
    public enum Answer {
        /** It decided the order now. */
        APPLIED,
        /** It repeats what was already recorded: nothing changes. */
        REPEAT,
        /** It overtook the hub's record of the agent's 2xx: kept, and applied as soon as that record lands. */
        KEPT,
        /** No such order of this vendor: 404. */
        UNKNOWN,
        /** It contradicts the order's final state: 409. */
        CONTRADICTION
    }

    private record Order(String receiptId, String partner, String event, String status, int attempts, int replays,
                         boolean leased) {}

    public Answer accept(String vendor, Callback callback) {
        Answer answer = tx.execute(status -> decide(vendor, callback, clock.instant()));
        log.info("Agent callback: vendor={} receipt={} status={}{} answer={}", vendor, callback.receiptId(), callback.status(),
                callback.completed() ? " erpReference=" + callback.erpReference() : " retryable=" + callback.retryable(), answer);
        return answer;
    }

    private Answer decide(String vendor, Callback callback, Instant now) {
        Order order = lock(callback.receiptId(), vendor, now);
        if (order == null) {
            return Answer.UNKNOWN;
        }
        Callback previous = recorded(callback.receiptId());
        if (previous != null && previous.sameAs(callback)) {
            return Answer.REPEAT;
        }
        // Delivered, dead or discarded: anything else than the recorded word contradicts the order's final state
        // (a replay starts a new round and forgets the last one's callback, DeadLetterStore).
        switch (order.status()) {
            case "awaiting-callback" -> {
                record(vendor, callback, now, true);
                apply(order, callback, now);
                return Answer.APPLIED;
            }
            case "accepted", "retrying" -> {
                if (order.leased()) {
                    // The call is in flight, or its 2xx is not recorded yet: keep it for settledAwaiting.
                    record(vendor, callback, now, false);
                    return Answer.KEPT;
                }
                // A late word on an attempt already counted as failed (its deadline passed): a completion still
                // delivers the order, since the ERP booked it; a failure for good ends it; a retryable one changes nothing.
                record(vendor, callback, now, true);
                if (callback.settles()) {
                    apply(order, callback, now);
                }
                return Answer.APPLIED;
            }
            default -> {
                return Answer.CONTRADICTION;
            }
        }
    }

    /** The message under a row lock, if it is an order sent to this vendor's agent. */
    private Order lock(String receiptId, String vendor, Instant now) {
        List<Order> rows = jdbc.query("""
                SELECT receipt_id, partner, event, status, attempts, replays, lease_expires_at FROM message
                WHERE receipt_id = :id AND agent_vendor = :vendor FOR UPDATE""",
                new MapSqlParameterSource("id", receiptId).addValue("vendor", vendor), (rs, i) -> {
                    OffsetDateTime lease = rs.getObject(7, OffsetDateTime.class);
                    return new Order(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5), rs.getInt(6),
                            lease != null && lease.toInstant().isAfter(now));
                });
        return rows.isEmpty() ? null : rows.get(0);
    }

    private Callback recorded(String receiptId) {
        List<Callback> rows = jdbc.query("""
                SELECT receipt_id, status, erp_reference, erp_document_id, error_code, error_message, retryable
                FROM agent_callback WHERE receipt_id = :id""", new MapSqlParameterSource("id", receiptId), AgentCallbacks::callback);
        return rows.isEmpty() ? null : rows.get(0);
    }

    private static Callback callback(ResultSet rs, int row) throws SQLException {
        return new Callback(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                rs.getBoolean(7));
    }

    private void record(String vendor, Callback c, Instant now, boolean applied) {
        MapSqlParameterSource p = new MapSqlParameterSource("id", c.receiptId()).addValue("vendor", vendor).addValue("status", c.status())
                .addValue("ref", c.erpReference()).addValue("doc", c.erpDocumentId()).addValue("code", c.errorCode())
                .addValue("message", c.errorMessage()).addValue("retryable", c.retryable()).addValue("at", ts(now)).addValue("applied", applied);
        // The row lock on the message serializes callbacks of one order, so delete-then-insert cannot race.
        jdbc.update("DELETE FROM agent_callback WHERE receipt_id = :id", p);
        jdbc.update("""
                INSERT INTO agent_callback (receipt_id, vendor, status, erp_reference, erp_document_id, error_code, error_message,
                                            retryable, received_at, applied)
                VALUES (:id, :vendor, :status, :ref, :doc, :code, :message, :retryable, :at, :applied)""", p);
    }

    /** Moves the order on: delivered with its result, retried per policy, or dead; with the attempt's outcome recorded. */
    private void apply(Order order, Callback c, Instant now) {
        Partner.RetryPolicy policy = partners.find(order.partner()).map(Partner::retry).orElse(Partner.RetryPolicy.DEFAULT);
        MapSqlParameterSource p = new MapSqlParameterSource("id", order.receiptId()).addValue("now", ts(now));
        String outcome;
        if (c.completed()) {
            ObjectNode result = JSON.createObjectNode().put("erpReference", c.erpReference()).put("erpDocumentId", c.erpDocumentId());
            jdbc.update("""
                    UPDATE message SET status = 'delivered', delivered_at = :now, next_attempt_at = NULL, last_error = NULL,
                           parked_on = NULL, result = :result WHERE receipt_id = :id""", p.addValue("result", result.toString()));
            outcome = "delivered";
        } else {
            String error = "agent: " + (c.errorCode() == null ? "" : c.errorCode() + " ") + Objects.toString(c.errorMessage(), "failed");
            outcome = fail(order, policy, error, c.retryable(), now, p);
        }
        attempt(order, now, outcome, c.completed() ? null : "AgentCallback",
                c.completed() ? "erpReference " + c.erpReference() : c.errorMessage());
        metrics.callback(order.partner(), order.event(), c.completed() ? "completed" : c.retryable() ? "failed-retryable" : "failed");
    }

    /** A failed attempt: retried after the policy's delay while attempts remain, else dead. */
    private String fail(Order order, Partner.RetryPolicy policy, String error, boolean retryable, Instant now, MapSqlParameterSource p) {
        p.addValue("error", error.length() > 2000 ? error.substring(0, 2000) : error);
        if (retryable && order.attempts() < policy.maxAttempts()) {
            Duration delay = RetrySchedule.after(order.attempts(), policy, ThreadLocalRandom.current());
            jdbc.update("""
                    UPDATE message SET status = 'retrying', next_attempt_at = :next, last_error = :error, parked_on = NULL
                    WHERE receipt_id = :id""", p.addValue("next", ts(now.plus(delay))));
            return "retry";
        }
        jdbc.update("""
                UPDATE message SET status = 'dead', dead_at = :now, next_attempt_at = NULL, last_error = :error, parked_on = NULL
                WHERE receipt_id = :id""", p);
        return "dead";
    }

    private void attempt(Order order, Instant now, String outcome, String errorClass, String message) {
        jdbc.update("""
                INSERT INTO delivery_attempt (receipt_id, replay, attempt, started_at, duration_ms, outcome, http_status, error_class, error_message)
                VALUES (:id, :replay, :attempt, :at, 0, :outcome, NULL, :class, :message)""",
                new MapSqlParameterSource("id", order.receiptId()).addValue("replay", order.replays()).addValue("attempt", order.attempts())
                        .addValue("at", ts(now)).addValue("outcome", outcome).addValue("class", errorClass)
                        .addValue("message", message == null || message.length() <= 2000 ? message : message.substring(0, 2000)));
    }

    /** Right after the hub recorded an agent's 2xx: a callback that overtook it is applied now. */
    void settledAwaiting(String receiptId) {
        try {
            tx.executeWithoutResult(status -> applyKept(receiptId, clock.instant()));
        } catch (RuntimeException e) {
            log.warn("Could not apply the kept callback of {}; the next sweep will: {}", receiptId, e.toString());
        }
    }

    private void applyKept(String receiptId, Instant now) {
        List<String> vendors = jdbc.queryForList("SELECT vendor FROM agent_callback WHERE receipt_id = :id AND applied = FALSE",
                new MapSqlParameterSource("id", receiptId), String.class);
        if (vendors.isEmpty()) {
            return;
        }
        Order order = lock(receiptId, vendors.get(0), now);
        if (order == null || !"awaiting-callback".equals(order.status())) {
            return;
        }
        Callback kept = recorded(receiptId);
        jdbc.update("UPDATE agent_callback SET applied = TRUE WHERE receipt_id = :id", new MapSqlParameterSource("id", receiptId));
        apply(order, kept, now);
    }

    /**
     * On each full poll: orders whose callback deadline passed become failed attempts (once, whichever instance gets
     * the row lock first; the deadline is in the database, so it survives restarts), and kept callbacks whose 2xx has
     * landed meanwhile are applied (should {@link #settledAwaiting} have missed them).
     */
    void sweep(Instant now) {
        List<String> late = jdbc.queryForList("""
                SELECT receipt_id FROM message WHERE status = 'awaiting-callback' AND next_attempt_at <= :now
                ORDER BY next_attempt_at LIMIT :limit""", new MapSqlParameterSource("now", ts(now)).addValue("limit", SWEEP_BATCH), String.class);
        for (String receiptId : late) {
            tx.executeWithoutResult(status -> expire(receiptId, now));
        }
        List<String> kept = jdbc.queryForList("SELECT receipt_id FROM agent_callback WHERE applied = FALSE", new MapSqlParameterSource(), String.class);
        for (String receiptId : kept) {
            tx.executeWithoutResult(status -> applyKept(receiptId, now));
        }
    }

    private void expire(String receiptId, Instant now) {
        List<Order> rows = jdbc.query("""
                SELECT receipt_id, partner, event, status, attempts, replays FROM message
                WHERE receipt_id = :id AND status = 'awaiting-callback' AND next_attempt_at <= :now FOR UPDATE""",
                new MapSqlParameterSource("id", receiptId).addValue("now", ts(now)),
                (rs, i) -> new Order(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5), rs.getInt(6), false));
        if (rows.isEmpty()) {
            return; // another instance (or a callback) got there first
        }
        Order order = rows.get(0);
        Partner.RetryPolicy policy = partners.find(order.partner()).map(Partner::retry).orElse(Partner.RetryPolicy.DEFAULT);
        String error = "agent: no callback within the vendor's callbackTimeout";
        String outcome = fail(order, policy, error, true, now, new MapSqlParameterSource("id", receiptId).addValue("now", ts(now)));
        attempt(order, now, outcome, "CallbackTimeout", error);
        metrics.callback(order.partner(), order.event(), "timeout");
        log.warn("Agent callback missing: receipt={} partner={} event={} attempt={} next={}", receiptId, order.partner(), order.event(),
                order.attempts(), outcome);
    }

    private static OffsetDateTime ts(Instant at) {
        return OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }
}
