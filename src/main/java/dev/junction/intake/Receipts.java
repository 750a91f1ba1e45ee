package dev.junction.intake;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/** Reads receipts and per-partner message counts from the journal. */
@Component
public class Receipts {

    private final NamedParameterJdbcTemplate jdbc;

    Receipts(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** The receipt, only if it belongs to this partner: another partner's receipt does not exist for the caller. */
    public Optional<Receipt> find(String partner, String receiptId) {
        List<Receipt> rows = jdbc.query("""
                SELECT receipt_id, partner, event, status, attempts, received_at, delivered_at, next_attempt_at, last_error, result
                FROM message WHERE receipt_id = :id AND partner = :partner""",
                Map.of("id", receiptId, "partner", partner), Receipts::map);
        return rows.stream().findFirst();
    }

    /** Message counts by status, per partner. */
    public Map<String, Map<String, Long>> countsByPartnerAndStatus() {
        Map<String, Map<String, Long>> counts = new LinkedHashMap<>();
        jdbc.query("SELECT partner, status, COUNT(*) FROM message GROUP BY partner, status ORDER BY partner, status",
                rs -> {
                    counts.computeIfAbsent(rs.getString(1), p -> new LinkedHashMap<>()).put(rs.getString(2), rs.getLong(3));
                });
        return counts;
    }

    /** How many messages of each partner have this status; served by an index on status, so it never reads the whole journal. */
    public Map<String, Long> countsByPartner(String status) {
        Map<String, Long> counts = new LinkedHashMap<>();
        jdbc.query("SELECT partner, COUNT(*) FROM message WHERE status = :status GROUP BY partner", Map.of("status", status),
                rs -> {
                    counts.put(rs.getString(1), rs.getLong(2));
                });
        return counts;
    }

    /**
     * Pending messages parked on each target ({@code <partner>/<target>}) by its open breaker. Reads the retrying rows
     * only, through ix_message_dead's status prefix.
     */
    public Map<String, Long> parkedByTarget() {
        Map<String, Long> parked = new LinkedHashMap<>();
        jdbc.query("SELECT parked_on, COUNT(*) FROM message WHERE status = 'retrying' AND parked_on IS NOT NULL GROUP BY parked_on",
                Map.of(), rs -> {
                    parked.put(rs.getString(1), rs.getLong(2));
                });
        return parked;
    }

    /** When the oldest undelivered (accepted or retrying) message of each partner was received. */
    public Map<String, Instant> oldestPendingByPartner() {
        Map<String, Instant> oldest = new LinkedHashMap<>();
        jdbc.query("SELECT partner, MIN(received_at) FROM message WHERE status IN ('accepted', 'retrying') GROUP BY partner",
                rs -> {
                    oldest.put(rs.getString(1), rs.getObject(2, OffsetDateTime.class).toInstant());
                });
        return oldest;
    }

    private static Receipt map(ResultSet rs, int row) throws SQLException {
        return new Receipt(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5),
                instant(rs, 6), instant(rs, 7), instant(rs, 8), rs.getString(9), rs.getString(10));
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
