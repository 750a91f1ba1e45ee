package dev.junction.erp.agent;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The agent registry ({@code erp_agent}) and its audit rows, in SQL with named parameters. Every write method expects
 * the caller's transaction: a status move and its audit row commit together or not at all.
 */
@Component
class AgentStore {

    private static final String COLUMNS = "vendor, agent_url, erp_type, version, registered_at, last_heartbeat_at, "
            + "agent_pending_orders, status, status_since";

    private final NamedParameterJdbcTemplate jdbc;

    AgentStore(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    Optional<AgentRow> find(String vendor) {
        return jdbc.query("SELECT " + COLUMNS + " FROM erp_agent WHERE vendor = :vendor", Map.of("vendor", vendor), AgentStore::row)
                .stream().findFirst();
    }

    /**
     * The hub's orders for the vendor not yet taken by its agent: held while it is offline (parked on
     * {@code <partner>/agent:<vendor>}) or waiting for another attempt after a failed call or callback.
     */
    long pendingOrders(String vendor) {
        Long n = jdbc.queryForObject("""
                SELECT COUNT(*) FROM message WHERE status = 'retrying'
                  AND (parked_on LIKE :held OR (agent_vendor = :vendor AND parked_on IS NULL))""",
                Map.of("held", "%/agent:" + vendor, "vendor", vendor), Long.class);
        return n == null ? 0 : n;
    }

    /** Every registered agent, by vendor. */
    Map<String, AgentRow> all() {
        Map<String, AgentRow> rows = new TreeMap<>();
        jdbc.query("SELECT " + COLUMNS + " FROM erp_agent", Map.of(), AgentStore::row).forEach(r -> rows.put(r.vendor(), r));
        return rows;
    }

    /** A new registration of a known agent; false when the vendor has no row yet. Keeps the agent's last pending count. */
    boolean reregister(String vendor, AgentRequests.Registration r, Instant now) {
        return jdbc.update("""
                UPDATE erp_agent SET agent_url = :url, erp_type = :erpType, version = :version, registered_at = :now,
                       last_heartbeat_at = :now
                WHERE vendor = :vendor""", registration(vendor, r, now)) == 1;
    }

    /** The first registration: the row starts online; a concurrent first registration makes this a duplicate key. */
    void insert(String vendor, AgentRequests.Registration r, Instant now) {
        jdbc.update("INSERT INTO erp_agent (" + COLUMNS + ") VALUES (:vendor, :url, :erpType, :version, :now, :now, NULL, 'online', :now)",
                registration(vendor, r, now));
    }

    /** Fields the heartbeat leaves out keep their last reported value; false when the vendor never registered. */
    boolean heartbeat(String vendor, AgentRequests.Heartbeat h, Instant now) {
        return jdbc.update("""
                UPDATE erp_agent SET last_heartbeat_at = :now, version = COALESCE(:version, version),
                       agent_pending_orders = COALESCE(:pending, agent_pending_orders)
                WHERE vendor = :vendor""", new MapSqlParameterSource("vendor", vendor).addValue("now", ts(now))
                .addValue("version", h.version(), Types.VARCHAR).addValue("pending", h.pendingOrders(), Types.INTEGER)) == 1;
    }

    /**
     * Moves the recorded status by compare-and-set and, only when this call made the move, writes its audit row: of
     * several instances seeing the same change, one audits it. {@code seenHeartbeat}, when given, must still be the
     * row's last heartbeat, so that a sweep never records a silence that a heartbeat has just ended.
     */
    boolean move(Transition t, Instant seenHeartbeat) {
        MapSqlParameterSource params = new MapSqlParameterSource("vendor", t.vendor()).addValue("from", t.from().label())
                .addValue("to", t.to().label()).addValue("at", ts(t.at()));
        String heartbeatUnchanged = "";
        if (seenHeartbeat != null) {
            heartbeatUnchanged = " AND last_heartbeat_at = :seen";
            params.addValue("seen", ts(seenHeartbeat));
        }
        if (jdbc.update("UPDATE erp_agent SET status = :to, status_since = :at WHERE vendor = :vendor AND status = :from"
                + heartbeatUnchanged, params) != 1) {
            return false;
        }
        audit(t);
        return true;
    }

    /** The first registration's audit row; its insert, not a compare-and-set, is what happens once. */
    void audit(Transition t) {
        jdbc.update("INSERT INTO ops_audit (at, actor, action, receipt_id, reason) VALUES (:at, :actor, :action, NULL, :reason)",
                new MapSqlParameterSource("at", ts(t.at())).addValue("actor", t.actor()).addValue("action", Transition.ACTION)
                        .addValue("reason", t.reason()));
    }

    private static MapSqlParameterSource registration(String vendor, AgentRequests.Registration r, Instant now) {
        return new MapSqlParameterSource("vendor", vendor).addValue("url", r.agentUrl()).addValue("erpType", r.erpType(), Types.VARCHAR)
                .addValue("version", r.version(), Types.VARCHAR).addValue("now", ts(now));
    }

    private static AgentRow row(ResultSet rs, int n) throws SQLException {
        return new AgentRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), instant(rs, 5), instant(rs, 6),
                (Integer) rs.getObject(7), AgentStatus.ofLabel(rs.getString(8)), instant(rs, 9));
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static OffsetDateTime ts(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
