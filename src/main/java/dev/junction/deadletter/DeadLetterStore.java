package dev.junction.deadletter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/** Dead letters and the audit trail, in SQL with named parameters. */
@Component
class DeadLetterStore {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ITEM = "receipt_id, partner, event, attempts, last_error, dead_at";

    private final NamedParameterJdbcTemplate jdbc;

    DeadLetterStore(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    record Item(String receiptId, String partner, String event, int attempts, String lastError, Instant deadAt) {}

    record AttemptView(int replay, int attempt, Instant at, long durationMs, String outcome, Integer httpStatus,
                       String errorClass, String errorMessage) {}

    record Detail(String receiptId, String partner, String event, String status, int attempts, String lastError, Instant deadAt,
                  Instant receivedAt, String correlationId, int replays, Object payload, Map<String, String> headers,
                  List<AttemptView> attemptHistory) {}

    /** @param partner the partner acted on, when the action names one (sync jobs) or its message does */
    record AuditEntry(Instant at, String actor, String action, String receiptId, String partner, String reason) {}

    /** A filter over dead letters; null fields match everything. {@code error}: a case-insensitive substring of the last error. */
    record Filter(String partner, String event, Instant deadAfter, Instant deadBefore, String error) {
        String where(MapSqlParameterSource params) {
            StringBuilder sql = new StringBuilder("status = 'dead'");
            if (partner != null) {
                sql.append(" AND partner = :partner");
                params.addValue("partner", partner);
            }
            if (event != null) {
                sql.append(" AND event = :event");
                params.addValue("event", event);
            }
            if (deadAfter != null) {
                sql.append(" AND dead_at >= :deadAfter");
                params.addValue("deadAfter", ts(deadAfter));
            }
            if (deadBefore != null) {
                sql.append(" AND dead_at < :deadBefore");
                params.addValue("deadBefore", ts(deadBefore));
            }
            if (error != null && !error.isBlank()) {
                sql.append(" AND LOWER(last_error) LIKE :error ESCAPE '\\'");
                params.addValue("error", "%" + error.toLowerCase(java.util.Locale.ROOT)
                        .replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
            }
            return sql.toString();
        }
    }

    /** Newest first; the cursor is the last item of the previous page. */
    List<Item> list(Filter filter, Cursor after, int limit) {
        MapSqlParameterSource params = new MapSqlParameterSource("limit", limit);
        String where = filter.where(params);
        if (after != null) {
            where += " AND (dead_at < :cursorAt OR (dead_at = :cursorAt AND receipt_id < :cursorId))";
            params.addValue("cursorAt", ts(after.deadAt())).addValue("cursorId", after.receiptId());
        }
        return jdbc.query("SELECT " + ITEM + " FROM message WHERE " + where + " ORDER BY dead_at DESC, receipt_id DESC LIMIT :limit",
                params, DeadLetterStore::item);
    }

    List<String> matching(Filter filter) {
        MapSqlParameterSource params = new MapSqlParameterSource();
        return jdbc.queryForList("SELECT receipt_id FROM message WHERE " + filter.where(params) + " ORDER BY dead_at", params, String.class);
    }

    Optional<String> status(String receiptId) {
        return jdbc.queryForList("SELECT status FROM message WHERE receipt_id = :id", Map.of("id", receiptId), String.class)
                .stream().findFirst();
    }

    Optional<Detail> detail(String receiptId) {
        List<Detail> rows = jdbc.query("""
                SELECT m.receipt_id, m.partner, m.event, m.status, m.attempts, m.last_error, m.dead_at, m.received_at,
                       m.correlation_id, m.replays, b.payload, b.headers
                FROM message m JOIN message_body b ON b.receipt_id = m.receipt_id WHERE m.receipt_id = :id""",
                Map.of("id", receiptId), (rs, n) -> new Detail(
                rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5), rs.getString(6),
                instant(rs, 7), instant(rs, 8), rs.getString(9), rs.getInt(10), payload(rs.getBytes(11)),
                Redaction.headers(rs.getString(12)), attempts(receiptId)));
        return rows.stream().findFirst();
    }

    private List<AttemptView> attempts(String receiptId) {
        return jdbc.query("""
                SELECT replay, attempt, started_at, duration_ms, outcome, http_status, error_class, error_message
                FROM delivery_attempt WHERE receipt_id = :id ORDER BY id""", Map.of("id", receiptId),
                (rs, n) -> new AttemptView(rs.getInt(1), rs.getInt(2), instant(rs, 3), rs.getLong(4), rs.getString(5),
                        (Integer) rs.getObject(6), rs.getString(7), rs.getString(8)));
    }

    /** Back to the journal under the same receipt id, for a new round of attempts; false unless it was dead. */
    boolean replay(String receiptId, Instant now) {
        boolean replayed = jdbc.update("""
                UPDATE message SET status = 'accepted', attempts = 0, replays = replays + 1, next_attempt_at = :now, dead_at = NULL,
                       lease_owner = NULL, lease_expires_at = NULL
                WHERE receipt_id = :id AND status = 'dead'""", Map.of("id", receiptId, "now", ts(now))) == 1;
        if (replayed) {
            // An order to an ERP agent starts a new round: its agent's last word belongs to the round that died.
            jdbc.update("DELETE FROM agent_callback WHERE receipt_id = :id", Map.of("id", receiptId));
        }
        return replayed;
    }

    boolean discard(String receiptId, String reason) {
        return jdbc.update("UPDATE message SET status = 'discarded', last_error = :reason WHERE receipt_id = :id AND status = 'dead'",
                Map.of("id", receiptId, "reason", "discarded: " + reason)) == 1;
    }

    void audit(Instant at, String actor, String action, String receiptId, String reason) {
        jdbc.update("INSERT INTO ops_audit (at, actor, action, receipt_id, reason) VALUES (:at, :actor, :action, :id, :reason)",
                new MapSqlParameterSource("at", ts(at)).addValue("actor", actor).addValue("action", action)
                        .addValue("id", receiptId).addValue("reason", reason));
    }

    /**
     * Newest first; a null filter matches every row (ERP agent status changes have no receipt id). A partner matches
     * the actions naming it and those on its messages.
     */
    List<AuditEntry> audit(String receiptId, String action, String partner, int limit) {
        MapSqlParameterSource params = new MapSqlParameterSource("limit", limit);
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        if (receiptId != null) {
            where.append(" AND a.receipt_id = :id");
            params.addValue("id", receiptId);
        }
        if (action != null) {
            where.append(" AND a.action = :action");
            params.addValue("action", action);
        }
        if (partner != null) {
            where.append(" AND (a.partner = :partner OR (a.partner IS NULL AND m.partner = :partner))");
            params.addValue("partner", partner);
        }
        return jdbc.query("SELECT a.at, a.actor, a.action, a.receipt_id, COALESCE(a.partner, m.partner), a.reason FROM ops_audit a"
                        + " LEFT JOIN message m ON m.receipt_id = a.receipt_id" + where + " ORDER BY a.id DESC LIMIT :limit",
                params, (rs, n) -> new AuditEntry(instant(rs, 1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getString(6)));
    }

    private static Item item(ResultSet rs, int row) throws SQLException {
        return new Item(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getString(5), instant(rs, 6));
    }

    /** The payload as JSON when it is (it always is for webhooks), else as text. */
    private static Object payload(byte[] bytes) {
        try {
            JsonNode node = JSON.readTree(bytes);
            return node == null ? "" : node;
        } catch (IOException notJson) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    static OffsetDateTime ts(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
