package dev.junction.sync;

import dev.junction.SqlErrors;
import dev.junction.intake.AcceptedMessage;
import dev.junction.intake.JournalInTransaction;
import dev.junction.intake.NewMessage;
import dev.junction.partner.Partner;
import dev.junction.partner.PartnerEvent;
import dev.junction.partner.SyncJob;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.springframework.stereotype.Component;

/**
 * The checkpoint rule (SYNC-JOBS.md): a page's records are journaled, and the job's checkpoint moves to the page's
 * last record, in one transaction. A crash before the commit pulls the page again; after it, the page is never
 * journaled twice. Each record is keyed {@code <id>@<cursor>} in the event's idempotency space, so a record read again
 * (a lookback, a redelivered Kafka offset) is counted as a duplicate and a new version is a new message.
 */
@Component
public class SyncJournal {

    /** The journal's idempotency key column is 255 characters; a longer {@code <id>@<cursor>} is keyed by its hash. */
    static final int MAX_KEY = 255;
    private static final int RETRIES_ON_RACE = 2;

    private static final String MOVE_CHECKPOINT = """
            UPDATE sync_job SET cursor_value = ?, cursor_id = ?, lease_expires_at = ?
            WHERE partner = ? AND job = ? AND lease_owner = ? AND lease_run_id = ?""";
    private static final String COUNT_RUN = """
            UPDATE sync_run SET pages = pages + 1, records = records + ?, journaled = journaled + ?, duplicates = duplicates + ?
            WHERE run_id = ?""";

    private final DataSource dataSource;
    private final JournalInTransaction journal;
    private final Clock clock;

    SyncJournal(DataSource dataSource, JournalInTransaction journal, Clock clock) {
        this.dataSource = dataSource;
        this.journal = journal;
        this.clock = clock;
    }

    /** How a page's records fared: new messages, and records already journaled under the same key. */
    public record Result(int journaled, int duplicates) {}

    /** The run that holds the job's lease; the page commits only while it still does. */
    public record Fence(String owner, String runId, java.time.Duration leaseRenewal) {}

    /** A runner lost its lease to another instance (it expired): its page was rolled back and it must stop. */
    public static final class LeaseLostException extends Exception {
        LeaseLostException(String partner, String job) {
            super("lease of " + partner + "/" + job + " lost to another instance; the page was rolled back");
        }
    }

    /**
     * Journals the page and moves the checkpoint to {@code next} in one transaction, fenced by the lease; renews the
     * lease and counts the page on the run.
     */
    public Result commitPage(Partner partner, SyncJob job, List<PulledRecord> records, Checkpoint next, Fence fence)
            throws SQLException, LeaseLostException {
        return inTransaction(partner, job, records, c -> {
            try (PreparedStatement ps = c.prepareStatement(MOVE_CHECKPOINT)) {
                ps.setString(1, next.cursor());
                ps.setString(2, next.id());
                ps.setObject(3, OffsetDateTime.ofInstant(clock.instant().plus(fence.leaseRenewal()), ZoneOffset.UTC));
                ps.setString(4, partner.id());
                ps.setString(5, job.id());
                ps.setString(6, fence.owner());
                ps.setString(7, fence.runId());
                if (ps.executeUpdate() != 1) {
                    throw new LeaseLostException(partner.id(), job.id());
                }
            }
        }, fence.runId());
    }

    /**
     * Journals records whose position the source keeps itself (a Kafka consumer group's offsets): the caller commits
     * its position only after this returns.
     */
    public Result journal(Partner partner, SyncJob job, List<PulledRecord> records) throws SQLException {
        try {
            return inTransaction(partner, job, records, c -> {}, null);
        } catch (LeaseLostException e) {
            throw new IllegalStateException("no lease is checked here", e);
        }
    }

    /** The key of a record version: {@code <id>@<cursor>}, or {@code sha256:<hex>} of it when longer than the column. */
    public static String key(PulledRecord r) {
        String key = r.id() + "@" + r.cursor();
        if (key.length() <= MAX_KEY) {
            return key;
        }
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private interface InTransaction {
        void run(Connection c) throws SQLException, LeaseLostException;
    }

    private Result inTransaction(Partner partner, SyncJob job, List<PulledRecord> records, InTransaction also, String runId)
            throws SQLException, LeaseLostException {
        PartnerEvent event = partner.event(job.event())
                .orElseThrow(() -> new IllegalStateException(partner.id() + " has no event " + job.event()));
        for (int attempt = 0; ; attempt++) {
            List<AcceptedMessage> appended;
            Result result;
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                try {
                    Map<String, PulledRecord> fresh = unseen(c, partner.id(), job.event(), records);
                    appended = journal.append(c, messages(partner, job, event, fresh), correlation(partner, job, runId));
                    result = new Result(appended.size(), records.size() - appended.size());
                    also.run(c);
                    if (runId != null) {
                        count(c, runId, records.size(), result);
                    }
                    c.commit();
                } catch (SQLException e) {
                    SqlErrors.rollbackQuietly(c);
                    // Another writer journaled one of these keys between our look and our insert (a Kafka rebalance,
                    // a webhook with the same key): look again, it is now a duplicate.
                    if (SqlErrors.isUniqueViolation(e) && attempt < RETRIES_ON_RACE) {
                        continue;
                    }
                    throw e;
                } catch (LeaseLostException | RuntimeException e) {
                    SqlErrors.rollbackQuietly(c);
                    throw e;
                }
            }
            journal.announce(appended);
            return result;
        }
    }

    /** The records whose keys are not journaled yet, in order, each key once (a source may repeat a record in a page). */
    private static Map<String, PulledRecord> unseen(Connection c, String partner, String event, List<PulledRecord> records)
            throws SQLException {
        Map<String, PulledRecord> byKey = new LinkedHashMap<>();
        for (PulledRecord r : records) {
            byKey.putIfAbsent(key(r), r);
        }
        if (byKey.isEmpty()) {
            return byKey;
        }
        Set<String> seen = new HashSet<>();
        // One statement joining the keys as an array with the unique index's full key: H2 2.3 answers an IN list
        // after partner = ? AND event = ? by testing every message of the partner's event (bench/ANALYSIS-sync-pull.md:
        // a pull quadratic in the records it journaled); this form is an index lookup per key on H2 and PostgreSQL,
        // statistics or not, as MirrorStore's key lookup found.
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT k.v FROM UNNEST(CAST(? AS VARCHAR ARRAY)) AS k(v)
                JOIN message m ON m.partner = ? AND m.event = ? AND m.idempotency_key = k.v""")) {
            ps.setArray(1, c.createArrayOf("VARCHAR", byKey.keySet().toArray(String[]::new)));
            ps.setString(2, partner);
            ps.setString(3, event);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    seen.add(rs.getString(1));
                }
            }
        }
        byKey.keySet().removeAll(seen);
        return byKey;
    }

    private static List<NewMessage> messages(Partner partner, SyncJob job, PartnerEvent event, Map<String, PulledRecord> fresh) {
        String headers = "{\"x-junction-sync-job\":\"" + job.id() + "\"}";
        List<NewMessage> out = new ArrayList<>(fresh.size());
        fresh.forEach((key, r) -> out.add(new NewMessage("sync", partner.id(), job.event(), event.route(), key, null,
                "application/json", r.json(), headers)));
        return out;
    }

    private static String correlation(Partner partner, SyncJob job, String runId) {
        String c = "sync:" + partner.id() + "/" + job.id() + (runId == null ? "" : "/" + runId);
        return c.length() <= 128 ? c : c.substring(0, 128);
    }

    private static void count(Connection c, String runId, int records, Result r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(COUNT_RUN)) {
            ps.setInt(1, records);
            ps.setInt(2, r.journaled());
            ps.setInt(3, r.duplicates());
            ps.setString(4, runId);
            ps.executeUpdate();
        }
    }
}
