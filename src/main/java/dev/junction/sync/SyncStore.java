package dev.junction.sync;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/** The {@code sync_job} and {@code sync_run} rows: schedule, pause switch, lease, checkpoint and run history. */
@Component
class SyncStore {

    private static final String JOB_COLUMNS = """
            partner, job, cursor_value, cursor_id, paused, next_run_at, lease_owner, lease_run_id, lease_expires_at,
            last_run_at, last_success_at""";
    private static final String RUN_COLUMNS = """
            run_id, partner, job, owner, cause, started_at, finished_at, pages, records, journaled, duplicates, from_cursor,
            from_id, outcome, error""";

    private final NamedParameterJdbcTemplate jdbc;

    SyncStore(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** A job's row as stored; {@code running} when a lease is held and has not expired at {@code now}. */
    record JobRow(String partner, String job, Checkpoint checkpoint, boolean paused, Instant nextRunAt, String leaseOwner,
                  String leaseRunId, Instant leaseExpiresAt, Instant lastRunAt, Instant lastSuccessAt) {
        boolean runningAt(Instant now) {
            return leaseOwner != null && leaseExpiresAt != null && leaseExpiresAt.isAfter(now);
        }
    }

    record RunRow(String runId, String partner, String job, String owner, String cause, Instant startedAt, Instant finishedAt,
                  int pages, int records, int journaled, int duplicates, Checkpoint from, String outcome, String error) {}

    /**
     * The job's row, created on first sight due at once (the first run starts at startup); a row that exists is kept.
     */
    JobRow ensure(String partner, String job, Instant now) {
        Optional<JobRow> existing = find(partner, job);
        if (existing.isPresent()) {
            return existing.get();
        }
        try {
            jdbc.update("INSERT INTO sync_job (partner, job, paused, next_run_at) VALUES (:partner, :job, FALSE, :now)",
                    key(partner, job).addValue("now", ts(now)));
        } catch (DuplicateKeyException anotherInstanceWasFirst) {
            // Same row, same defaults.
        }
        return find(partner, job).orElseThrow();
    }

    Optional<JobRow> find(String partner, String job) {
        return jdbc.query("SELECT " + JOB_COLUMNS + " FROM sync_job WHERE partner = :partner AND job = :job", key(partner, job),
                SyncStore::job).stream().findFirst();
    }

    List<JobRow> all() {
        return jdbc.query("SELECT " + JOB_COLUMNS + " FROM sync_job ORDER BY partner, job", SyncStore::job);
    }

    /**
     * Takes the job for a run when it is due, not paused, and no live lease holds it (an expired one is taken over);
     * {@code force} skips the due check (run now). One instance wins: the others update no row.
     */
    boolean claim(String partner, String job, String owner, String runId, Instant now, Instant leaseUntil, boolean force) {
        return jdbc.update("""
                UPDATE sync_job SET lease_owner = :owner, lease_run_id = :run, lease_expires_at = :until, last_run_at = :now
                WHERE partner = :partner AND job = :job AND paused = FALSE
                  AND (lease_owner IS NULL OR lease_expires_at < :now)""" + (force ? "" : " AND next_run_at <= :now"),
                key(partner, job).addValue("owner", owner).addValue("run", runId).addValue("until", ts(leaseUntil))
                        .addValue("now", ts(now))) == 1;
    }

    /** Extends the run's lease; false when it is no longer the run's (expired and taken over). */
    boolean renew(String partner, String job, String runId, Instant leaseUntil) {
        return jdbc.update("UPDATE sync_job SET lease_expires_at = :until WHERE partner = :partner AND job = :job AND lease_run_id = :run",
                key(partner, job).addValue("run", runId).addValue("until", ts(leaseUntil))) == 1;
    }

    /** Ends the run's hold on the job and sets its next start; does nothing when the lease was lost meanwhile. */
    void release(String partner, String job, String runId, Instant nextRunAt, Instant successAt) {
        jdbc.update("""
                UPDATE sync_job SET lease_owner = NULL, lease_run_id = NULL, lease_expires_at = NULL, next_run_at = :next,
                       last_success_at = COALESCE(:success, last_success_at)
                WHERE partner = :partner AND job = :job AND lease_run_id = :run""",
                key(partner, job).addValue("run", runId).addValue("next", ts(nextRunAt)).addValue("success", ts(successAt)));
    }

    boolean paused(String partner, String job) {
        return find(partner, job).map(JobRow::paused).orElse(false);
    }

    void setPaused(String partner, String job, boolean paused) {
        jdbc.update("UPDATE sync_job SET paused = :paused WHERE partner = :partner AND job = :job",
                key(partner, job).addValue("paused", paused));
    }

    /** Makes the job due at once; false when a live lease holds it (a run is in progress). */
    boolean dueNow(String partner, String job, Instant now) {
        return jdbc.update("""
                UPDATE sync_job SET next_run_at = :now
                WHERE partner = :partner AND job = :job AND (lease_owner IS NULL OR lease_expires_at < :now)""",
                key(partner, job).addValue("now", ts(now))) == 1;
    }

    /** Moves the checkpoint unless a run holds the job (its next page would overwrite the move); false then. */
    boolean moveCheckpoint(String partner, String job, Checkpoint to, Instant now) {
        return jdbc.update("""
                UPDATE sync_job SET cursor_value = :cursor, cursor_id = :id
                WHERE partner = :partner AND job = :job AND (lease_owner IS NULL OR lease_expires_at < :now)""",
                key(partner, job).addValue("cursor", to.cursor()).addValue("id", to.id()).addValue("now", ts(now))) == 1;
    }

    void startRun(String runId, String partner, String job, String owner, String cause, Instant at, Checkpoint from) {
        jdbc.update("""
                INSERT INTO sync_run (run_id, partner, job, owner, cause, started_at, from_cursor, from_id, outcome)
                VALUES (:run, :partner, :job, :owner, :cause, :at, :cursor, :id, 'running')""",
                key(partner, job).addValue("run", runId).addValue("owner", owner).addValue("cause", cause).addValue("at", ts(at))
                        .addValue("cursor", from.cursor()).addValue("id", from.id()));
    }

    void finishRun(String runId, Instant at, String outcome, String error) {
        jdbc.update("UPDATE sync_run SET finished_at = :at, outcome = :outcome, error = :error WHERE run_id = :run",
                new MapSqlParameterSource("run", runId).addValue("at", ts(at)).addValue("outcome", outcome)
                        .addValue("error", error == null ? null : error.length() > 2000 ? error.substring(0, 2000) : error));
    }

    /** Newest first. */
    List<RunRow> runs(String partner, String job, int limit) {
        return jdbc.query("SELECT " + RUN_COLUMNS + " FROM sync_run WHERE partner = :partner AND job = :job"
                + " ORDER BY started_at DESC, run_id DESC LIMIT :limit", key(partner, job).addValue("limit", limit), SyncStore::run);
    }

    Optional<RunRow> lastRun(String partner, String job) {
        return runs(partner, job, 1).stream().findFirst();
    }

    /** Runs still marked running whose job no live lease holds: their instance died; they are closed as such. */
    int closeAbandoned(Instant now) {
        return jdbc.update("""
                UPDATE sync_run SET finished_at = :now, outcome = 'lease-lost', error = 'the instance running it stopped'
                WHERE outcome = 'running' AND NOT EXISTS (
                    SELECT 1 FROM sync_job j WHERE j.lease_run_id = sync_run.run_id AND j.lease_expires_at >= :now)""",
                new MapSqlParameterSource("now", ts(now)));
    }

    int pruneRuns(Instant finishedBefore) {
        return jdbc.update("DELETE FROM sync_run WHERE finished_at < :before", new MapSqlParameterSource("before", ts(finishedBefore)));
    }

    /**
     * Undelivered messages of the partner (what its targets still owe, whatever their state of retry), counted up to
     * {@code atMost + 1}: the answer is only compared with the job's limit, and a buried partner's count stays cheap.
     */
    long backlog(String partner, int atMost) {
        Long n = jdbc.queryForObject("""
                SELECT COUNT(*) FROM (SELECT 1 FROM message WHERE partner = :partner
                AND status IN ('accepted', 'retrying', 'awaiting-callback') FETCH FIRST :limit ROWS ONLY) backlog""",
                new MapSqlParameterSource("partner", partner).addValue("limit", atMost + 1), Long.class);
        return n == null ? 0 : n;
    }

    void audit(Instant at, String actor, String action, String partner, String reason) {
        jdbc.update("INSERT INTO ops_audit (at, actor, action, partner, reason) VALUES (:at, :actor, :action, :partner, :reason)",
                new MapSqlParameterSource("at", ts(at)).addValue("actor", actor).addValue("action", action)
                        .addValue("partner", partner).addValue("reason", reason));
    }

    private static MapSqlParameterSource key(String partner, String job) {
        return new MapSqlParameterSource("partner", partner).addValue("job", job);
    }

    private static JobRow job(ResultSet rs, int row) throws SQLException {
        return new JobRow(rs.getString(1), rs.getString(2), new Checkpoint(rs.getString(3), rs.getString(4)), rs.getBoolean(5),
                instant(rs, 6), rs.getString(7), rs.getString(8), instant(rs, 9), instant(rs, 10), instant(rs, 11));
    }

    private static RunRow run(ResultSet rs, int row) throws SQLException {
        return new RunRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), instant(rs, 6),
                instant(rs, 7), rs.getInt(8), rs.getInt(9), rs.getInt(10), rs.getInt(11),
                new Checkpoint(rs.getString(12), rs.getString(13)), rs.getString(14), rs.getString(15));
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static OffsetDateTime ts(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
