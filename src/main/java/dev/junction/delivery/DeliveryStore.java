package dev.junction.delivery;

import dev.junction.intake.AcceptedMessage;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Delivery state in the database: claiming by lease, and recording outcomes with their attempts, many per transaction.
 * Claims are conditional updates, so two instances on one PostgreSQL never both win the same message; outcome writes
 * are guarded by the lease owner, so an instance that lost its lease cannot overwrite the new owner's state.
 */
@Component
class DeliveryStore {

    private static final int RELEASE_CHUNK = 32;
    /** Parked messages made due per statement when a breaker closes: small rows (V4), but a backlog can be large. */
    private static final int PARKED_CHUNK = 500;
    private static final String PENDING = "status IN ('accepted', 'retrying')";
    private static final String CLAIMABLE = PENDING + " AND next_attempt_at <= :now AND (lease_expires_at IS NULL OR lease_expires_at < :now)";

    private final NamedParameterJdbcTemplate jdbc;
    private final TransactionTemplate tx;

    DeliveryStore(NamedParameterJdbcTemplate jdbc, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.tx = tx;
    }

    /**
     * Those of the given partners with due, unleased messages: one short ordered probe per partner and status. A
     * {@code SELECT DISTINCT partner} over the pending rows read every row of a backlog, once per poll.
     */
    List<String> duePartners(Collection<String> partners, Instant now) {
        return partners.stream().filter(partner -> !candidates(partner, 1, now).isEmpty()).toList();
    }

    /** Claims up to {@code max} due messages of a partner, oldest due first, and loads them. */
    List<Job> claim(String partner, int max, Instant now, String owner, Instant leaseUntil, java.util.function.Predicate<String> skip) {
        List<String> candidates = candidates(partner, max, now);
        List<String> open = candidates.stream().filter(skip.negate()).toList();
        // A few rows per statement (see release); a candidate another instance claimed meanwhile is no longer
        // claimable, and only rows leased to this instance come back below. Only this thread claims here, so a row
        // leased to this instance among the candidates was claimed by this update.
        int won = 0;
        for (int i = 0; i < open.size(); i += RELEASE_CHUNK) {
            won += jdbc.update("UPDATE message SET lease_owner = :owner, lease_expires_at = :until WHERE receipt_id IN (:ids) AND "
                    + CLAIMABLE, Map.of("owner", owner, "until", ts(leaseUntil), "now", ts(now),
                    "ids", open.subList(i, Math.min(open.size(), i + RELEASE_CHUNK))));
        }
        List<String> claimed = won == 0 ? List.of() : open;
        if (claimed.isEmpty()) {
            return List.of();
        }
        return jdbc.query("""
                SELECT m.receipt_id, m.partner, m.event, m.route, m.correlation_id, m.content_type, b.payload, m.received_at,
                       m.attempts, m.replays
                FROM message m JOIN message_body b ON b.receipt_id = m.receipt_id
                WHERE m.receipt_id IN (:ids) AND m.lease_owner = :owner ORDER BY m.next_attempt_at""",
                Map.of("ids", claimed, "owner", owner), (rs, n) -> job(rs, leaseUntil));
    }

    /**
     * The partner's {@code max} oldest due, unleased messages. One status per query, ordered by all columns of
     * {@code ix_message_partner_due}: so both databases walk that index in order and stop after {@code max} rows
     * (with {@code status IN (...)} H2 collected and sorted every pending row of the partner, a backlog of a hundred
     * thousand rows on every claim).
     */
    private List<String> candidates(String partner, int max, Instant now) {
        record Due(String id, OffsetDateTime at) {}
        List<Due> due = new ArrayList<>();
        for (String status : List.of("accepted", "retrying")) {
            due.addAll(jdbc.query("""
                    SELECT receipt_id, next_attempt_at FROM message
                    WHERE partner = :partner AND status = :status AND next_attempt_at <= :now
                      AND (lease_expires_at IS NULL OR lease_expires_at < :now)
                    ORDER BY partner, status, next_attempt_at LIMIT :max""",
                    Map.of("partner", partner, "status", status, "now", ts(now), "max", max),
                    (rs, n) -> new Due(rs.getString(1), rs.getObject(2, OffsetDateTime.class))));
        }
        due.sort(Comparator.comparing(Due::at));
        return due.stream().limit(max).map(Due::id).toList();
    }

    /** Extends this instance's lease before a delivery that waited in line; false if the claim was lost meanwhile. */
    /**
     * Records which vendor's agent a message is sent to, before the call: the agent's callback may arrive before the
     * hub has recorded its 2xx, and it is accepted only from that vendor.
     */
    void markAgentOrder(String receiptId, String vendor) {
        jdbc.update("UPDATE message SET agent_vendor = :vendor WHERE receipt_id = :id AND (agent_vendor IS NULL OR agent_vendor <> :vendor)",
                new MapSqlParameterSource("vendor", vendor).addValue("id", receiptId));
    }

    boolean renew(String receiptId, String owner, Instant now, Instant until) {
        return jdbc.update("UPDATE message SET lease_expires_at = :until WHERE receipt_id = :id AND lease_owner = :owner AND " + PENDING,
                Map.of("until", ts(until), "id", receiptId, "owner", owner)) == 1;
    }

    /**
     * Records a batch of outcomes in one transaction. Each message's update is guarded by its lease, and its attempt
     * is recorded only where the update won: an instance that lost its lease cannot overwrite the new owner's state.
     *
     * @return for each settlement, in order, whether this instance still held the message
     */
    boolean[] settle(List<Settlement> batch, String owner) {
        boolean[] won = new boolean[batch.size()];
        tx.executeWithoutResult(status -> {
            Map<Settlement.Kind, List<Integer>> byKind = new EnumMap<>(Settlement.Kind.class);
            for (int i = 0; i < batch.size(); i++) {
                byKind.computeIfAbsent(batch.get(i).kind(), k -> new ArrayList<>()).add(i);
            }
            byKind.forEach((kind, indexes) -> {
                SqlParameterSource[] params = indexes.stream().map(i -> params(batch.get(i), owner)).toArray(SqlParameterSource[]::new);
                int[] counts = jdbc.batchUpdate(kind.sql, params);
                for (int j = 0; j < counts.length; j++) {
                    // SUCCESS_NO_INFO (-2) is what a driver may answer when it cannot count; H2 and PostgreSQL count.
                    won[indexes.get(j)] = counts[j] == 1 || counts[j] == Statement.SUCCESS_NO_INFO;
                }
            });
            List<SqlParameterSource> attempts = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                if (won[i] && batch.get(i).attempt() != null) {
                    attempts.add(attemptParams(batch.get(i)));
                }
            }
            if (!attempts.isEmpty()) {
                jdbc.batchUpdate("""
                        INSERT INTO delivery_attempt (receipt_id, replay, attempt, started_at, duration_ms, outcome, http_status, error_class, error_message)
                        VALUES (:id, :replay, :attempt, :started, :duration, :outcome, :status, :errorClass, :errorMessage)""",
                        attempts.toArray(SqlParameterSource[]::new));
            }
        });
        return won;
    }

    /**
     * The targets this partner's pending messages are parked on. Read through ix_message_partner_due's
     * (partner, status) prefix: only the partner's retrying rows, and only when the sweep rediscovers.
     */
    List<String> parkedTargets(String partner) {
        return jdbc.queryForList("SELECT DISTINCT parked_on FROM message WHERE partner = :partner AND status = 'retrying' AND parked_on IS NOT NULL",
                Map.of("partner", partner), String.class);
    }

    /**
     * Makes every message parked on the target due, in receipt order (next_attempt_at = received_at: the claims walk
     * by due time), a chunk of rows per statement. Returns how many it released.
     */
    int unparkAll(String partner, String target) {
        int total = 0;
        for (int n; (n = release(partner, target, parked(partner, target, PARKED_CHUNK, false))) > 0; ) {
            total += n;
        }
        return total;
    }

    /**
     * Makes up to {@code max} parked messages due as the trials of a half-open breaker: those that already failed
     * against the target first, fewest attempts first (a long outage spreads its trials over many messages instead of
     * spending the oldest ones' attempts until they are dead), then the oldest. Returns their receipt ids.
     */
    List<String> unparkTrials(String partner, String target, int max) {
        List<String> ids = parked(partner, target, max, true);
        release(partner, target, ids);
        return ids;
    }

    private List<String> parked(String partner, String target, int max, boolean retriesFirst) {
        return jdbc.queryForList("SELECT receipt_id FROM message WHERE partner = :partner AND status = 'retrying' AND parked_on = :target"
                        + (retriesFirst ? " ORDER BY CASE WHEN attempts > 0 THEN 0 ELSE 1 END, attempts, received_at" : "") + " LIMIT :max",
                Map.of("partner", partner, "target", target, "max", max), String.class);
    }

    /** Guarded by parked_on: a message claimed and settled meanwhile is not touched. */
    private int release(String partner, String target, List<String> ids) {
        if (ids.isEmpty()) {
            return 0;
        }
        return jdbc.update("UPDATE message SET parked_on = NULL, next_attempt_at = received_at WHERE receipt_id IN (:ids) AND partner = :partner"
                + " AND status = 'retrying' AND parked_on = :target", Map.of("ids", ids, "partner", partner, "target", target));
    }

    /** Gives claimed messages back without an attempt (shutdown, or a full bulkhead queue). */
    void release(List<String> receiptIds, String owner) {
        // A few rows per statement: H2 holds a transaction's rewritten rows in memory (when the payload was part of the
        // row, a thousand 64 KiB rows in one statement ran a 256 MB heap out of memory).
        for (int i = 0; i < receiptIds.size(); i += RELEASE_CHUNK) {
            jdbc.update("UPDATE message SET lease_owner = NULL, lease_expires_at = NULL WHERE receipt_id IN (:ids) AND lease_owner = :owner",
                    Map.of("ids", receiptIds.subList(i, Math.min(receiptIds.size(), i + RELEASE_CHUNK)), "owner", owner));
        }
    }

    private static SqlParameterSource params(Settlement s, String owner) {
        return new MapSqlParameterSource("id", s.job().receiptId()).addValue("owner", owner).addValue("now", ts(s.at()))
                .addValue("attempts", s.attempts()).addValue("error", s.lastError())
                .addValue("next", s.nextAttemptAt() == null ? null : ts(s.nextAttemptAt())).addValue("parkedOn", s.parkedOn());
    }

    private static SqlParameterSource attemptParams(Settlement s) {
        Attempt attempt = s.attempt();
        return new MapSqlParameterSource("id", s.job().receiptId()).addValue("replay", s.job().replays())
                .addValue("attempt", attempt.number()).addValue("started", ts(attempt.startedAt()))
                .addValue("duration", attempt.durationMs()).addValue("outcome", attempt.outcome())
                .addValue("status", attempt.httpStatus()).addValue("errorClass", attempt.errorClass())
                .addValue("errorMessage", attempt.errorMessage());
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
