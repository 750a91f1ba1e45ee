package dev.junction.erp.reconcile;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The reconciliation lease ({@code erp_reconcile_lease}), the runs' rows ({@code erp_reconciliation}) and what the
 * scheduler reads of the agent registry ({@code erp_agent}), in SQL with named parameters.
 */
@Component
class RunStore {

    /** One kind of one run, as {@code GET /ops/erp/{vendor}/reconciliations} lists it. */
    record RunRow(String runId, Instant startedAt, Instant finishedAt, String kind, int ranges, int requests, int fetched,
                  int drifted, int repaired, int deleted, String error) {}

    /** What the hub knows of a vendor's agent: where to call it, and its heartbeats for its status. */
    record Agent(String agentUrl, Instant registeredAt, Instant lastHeartbeatAt) {}

    private final NamedParameterJdbcTemplate jdbc;

    RunStore(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Takes the vendor's lease for {@code runId} until {@code expires}: free, or expired (its holder crashed or hung).
     * The conditional update is atomic per row on both databases, and of two first takers the second insert is a
     * duplicate key: either way, one run holds a vendor.
     */
    boolean acquire(String vendor, String runId, String owner, Instant now, Instant expires) {
        MapSqlParameterSource p = new MapSqlParameterSource("vendor", vendor).addValue("run", runId).addValue("owner", owner)
                .addValue("now", ts(now)).addValue("expires", ts(expires));
        if (jdbc.update("UPDATE erp_reconcile_lease SET run_id = :run, owner = :owner, expires_at = :expires "
                + "WHERE vendor = :vendor AND expires_at < :now", p) == 1) {
            return true;
        }
        try {
            jdbc.update("INSERT INTO erp_reconcile_lease (vendor, run_id, owner, expires_at) VALUES (:vendor, :run, :owner, :expires)", p);
            return true;
        } catch (DuplicateKeyException held) {
            return false;
        }
    }

    /** False when the lease is no longer this run's (it expired and another run took it). */
    boolean renew(String vendor, String runId, Instant expires) {
        return jdbc.update("UPDATE erp_reconcile_lease SET expires_at = :expires WHERE vendor = :vendor AND run_id = :run",
                new MapSqlParameterSource("vendor", vendor).addValue("run", runId).addValue("expires", ts(expires))) == 1;
    }

    /**
     * The fence of a repair, on the repair's own connection and in its transaction: renews the lease if {@code runId}
     * still holds it, and the row stays locked until the repair commits, so another instance cannot take the lease in
     * between (its conditional update waits, then sees the renewed expiry). False: the lease is another run's.
     */
    static boolean holds(Connection c, String vendor, String runId, Instant expires) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE erp_reconcile_lease SET expires_at = ? WHERE vendor = ? AND run_id = ?")) {
            ps.setObject(1, ts(expires));
            ps.setString(2, vendor);
            ps.setString(3, runId);
            return ps.executeUpdate() == 1;
        }
    }

    void release(String vendor, String runId) {
        jdbc.update("DELETE FROM erp_reconcile_lease WHERE vendor = :vendor AND run_id = :run",
                Map.of("vendor", vendor, "run", runId));
    }

    void start(String runId, String vendor, String kind, int position, String cause, Instant at) {
        jdbc.update("INSERT INTO erp_reconciliation (run_id, kind, vendor, position, cause, started_at) "
                        + "VALUES (:run, :kind, :vendor, :position, :cause, :at)",
                new MapSqlParameterSource("run", runId).addValue("kind", kind).addValue("vendor", vendor)
                        .addValue("position", position).addValue("cause", cause).addValue("at", ts(at)));
    }

    void finish(String runId, String kind, KindReport r, Instant at) {
        jdbc.update("""
                        UPDATE erp_reconciliation SET finished_at = :at, ranges = :ranges, requests = :requests, fetched = :fetched,
                               drifted = :drifted, repaired = :repaired, deleted = :deleted, error = :error
                        WHERE run_id = :run AND kind = :kind""",
                new MapSqlParameterSource("run", runId).addValue("kind", kind).addValue("at", ts(at))
                        .addValue("ranges", r.ranges).addValue("requests", r.requests).addValue("fetched", r.fetched)
                        .addValue("drifted", r.drifted).addValue("repaired", r.repaired).addValue("deleted", r.deleted)
                        .addValue("error", r.error == null ? null : clip(r.error)));
    }

    /** Newest first; within a run, the kinds in reverse order of running, so the list reads as a log read backwards. */
    List<RunRow> list(String vendor, int limit) {
        return jdbc.query("""
                        SELECT run_id, started_at, finished_at, kind, ranges, requests, fetched, drifted, repaired, deleted, error
                        FROM erp_reconciliation WHERE vendor = :vendor ORDER BY started_at DESC, position DESC LIMIT :limit""",
                new MapSqlParameterSource("vendor", vendor).addValue("limit", limit),
                (rs, n) -> new RunRow(rs.getString(1), instant(rs, 2), instant(rs, 3), rs.getString(4), rs.getInt(5), rs.getInt(6),
                        rs.getInt(7), rs.getInt(8), rs.getInt(9), rs.getInt(10), rs.getString(11)));
    }

    /** When the vendor's last run started (skipped ones included), or empty before its first. */
    Optional<Instant> lastStarted(String vendor) {
        return jdbc.query("SELECT MAX(started_at) FROM erp_reconciliation WHERE vendor = :vendor", Map.of("vendor", vendor),
                (rs, n) -> instant(rs, 1)).stream().filter(java.util.Objects::nonNull).findFirst();
    }

    Optional<Agent> agent(String vendor) {
        return jdbc.query("SELECT agent_url, registered_at, last_heartbeat_at FROM erp_agent WHERE vendor = :vendor",
                Map.of("vendor", vendor), (rs, n) -> new Agent(rs.getString(1), instant(rs, 2), instant(rs, 3))).stream().findFirst();
    }

    /** Errors quote the agent's answer: kept within the column. */
    private static String clip(String error) {
        return error.length() > 2000 ? error.substring(0, 1997) + "..." : error;
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static OffsetDateTime ts(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
