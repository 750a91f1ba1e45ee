package dev.junction.erp.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.SqlErrors;
import dev.junction.intake.AcceptedMessage;
import dev.junction.intake.JournalInTransaction;
import dev.junction.intake.NewMessage;
import dev.junction.partner.Partner;
import dev.junction.problem.ProblemException;
import dev.junction.problem.ProblemType;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The ingest pipeline for one batch, in the contract's order: validate and hash every record ({@link Validation}),
 * then in one transaction read what is stored for the batch's keys, decide each record ({@link Plan}: unchanged,
 * stale, mapping, created or updated), write the inserts and updates as two batch statements and journal the change
 * events ({@link ChangeFeed}) before the commit. A batch is all or nothing: if the database fails anywhere, nothing of
 * it is stored and the agent gets a 503 to send it again, which is safe since a repeat is answered {@code unchanged}.
 *
 * <p>Plain JDBC on one connection rather than camel-sql: the mirror's rows and the journal's messages must share a
 * transaction, and a batch of a thousand records is two statements, not a thousand exchanges.
 */
@Component
class BatchIngest {

    private static final Logger log = LoggerFactory.getLogger(BatchIngest.class);
    /** A batch that lost a race on one of its keys runs again against what the winner committed. */
    private static final int ATTEMPTS = 3;

    private final DataSource dataSource;
    private final JournalInTransaction journal;
    private final CodeBooks codeBooks;
    private final Clock clock;

    BatchIngest(DataSource dataSource, JournalInTransaction journal, CodeBooks codeBooks, Clock clock) {
        this.dataSource = dataSource;
        this.journal = journal;
        this.codeBooks = codeBooks;
        this.clock = clock;
    }

    BatchAnswer ingest(Partner vendor, Kind kind, List<JsonNode> records) {
        return ingest(vendor, kind, records, null, UUID.randomUUID().toString(), null).answer();
    }

    /** A hub record the agent lacks: marked deleted if its hash is still the one reconciliation compared. */
    record Deletion(List<String> keyParts, String expectedHash) {}

    /** What a batch did: its answer and, for a repair, the keys it marked deleted. */
    record Outcome(BatchAnswer answer, List<String> deleted) {}

    /**
     * @param deletions null for an agent's batch; for a reconciliation's repair the hub records to mark deleted, and
     *                  then the timestamp guard is off (the agent's version wins even when older)
     * @param fence     null, or checked in the batch's transaction just before its commit (see {@link MirrorRepair.Fence})
     */
    Outcome ingest(Partner vendor, Kind kind, List<JsonNode> records, List<Deletion> deletions, String batchId,
                   MirrorRepair.Fence fence) {
        List<Prepared> prepared = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            prepared.add(Validation.prepare(kind, i, records.get(i)));
        }
        if (deletions != null) {
            // The agent has whatever it sent, even a record it sent broken: only what it did not send is gone.
            Set<String> sent = new HashSet<>();
            prepared.stream().map(Prepared::key).filter(java.util.Objects::nonNull).forEach(sent::add);
            deletions = deletions.stream().filter(d -> !sent.contains(Kind.key(d.keyParts()))).toList();
        }
        for (int attempt = 1; ; attempt++) {
            // Read per attempt: a mapping imported meanwhile is what the retried batch must see.
            CodeBook codes = kind == Kind.ITEM ? codeBooks.of(vendor.id()) : CodeBook.NONE;
            try {
                return run(vendor, kind, prepared, codes, batchId, deletions, fence);
            } catch (MirrorStore.Conflict e) {
                if (attempt == ATTEMPTS) {
                    throw unavailable(vendor, kind, e.getMessage() + ", " + ATTEMPTS + " times");
                }
                log.debug("Batch {} of {} runs again: {}", batchId, vendor.id(), e.getMessage());
            } catch (SQLException e) {
                throw unavailable(vendor, kind, e.getMessage());
            }
        }
    }

    private Outcome run(Partner vendor, Kind kind, List<Prepared> prepared, CodeBook codes, String batchId, List<Deletion> deletions,
                        MirrorRepair.Fence fence) throws SQLException, MirrorStore.Conflict {
        boolean repair = deletions != null;
        Map<String, List<String>> keys = new LinkedHashMap<>();
        for (Prepared p : prepared) {
            if (p.valid()) {
                keys.putIfAbsent(p.key(), p.keyParts());
            }
        }
        List<AcceptedMessage> appended;
        Plan plan;
        List<String> deleted = List.of();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Map<String, MirrorStore.Stored> stored = MirrorStore.load(c, kind, vendor.id(), keys.values());
                Set<String> liveItems = Set.of();
                Set<String> liveWarehouses = Set.of();
                if (kind == Kind.STOCK) {
                    liveWarehouses = MirrorStore.live(c, Kind.WAREHOUSE.table(), vendor.id(), part(keys, 0));
                    liveItems = MirrorStore.live(c, Kind.ITEM.table(), vendor.id(), part(keys, 1));
                }
                plan = Plan.of(kind, prepared, stored, codes, liveItems, liveWarehouses, !repair);
                OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
                MirrorStore.update(c, kind, vendor.id(), plan.updates(), plan.expectedHashes(), now);
                MirrorStore.insert(c, kind, vendor.id(), plan.inserts(), now);
                List<NewMessage> events = new ArrayList<>(ChangeFeed.messages(vendor, kind, plan.changes, codes));
                if (repair) {
                    List<Map<String, Object>> gone = MirrorStore.markDeleted(c, kind, vendor.id(), deletions, now);
                    deleted = gone.stream().map(row -> MirrorStore.key(kind, row)).toList();
                    events.addAll(ChangeFeed.deleted(vendor, kind, gone, codes));
                }
                appended = journal.append(c, events, batchId);
                if (fence != null) {
                    // Last, so that what it locks is held only for the commit.
                    fence.check(c);
                }
                c.commit();
            } catch (SQLException e) {
                SqlErrors.rollbackQuietly(c);
                if (SqlErrors.isUniqueViolation(e)) {
                    // Another batch created one of these keys after this one looked: run again, as updates.
                    throw new MirrorStore.Conflict("a key was created by another batch meanwhile");
                }
                throw e;
            } catch (MirrorStore.Conflict | RuntimeException e) {
                SqlErrors.rollbackQuietly(c);
                throw e;
            }
        }
        journal.announce(appended);
        return new Outcome(new BatchAnswer(batchId, BatchAnswer.Counts.of(plan.results), plan.results), deleted);
    }

    private static Set<String> part(Map<String, List<String>> keys, int index) {
        Set<String> ids = new HashSet<>();
        keys.values().forEach(k -> ids.add(k.get(index)));
        return ids;
    }

    private static ProblemException unavailable(Partner vendor, Kind kind, String reason) {
        // One line, bounded: a driver's batch error quotes the failing statement with its values.
        String line = reason == null ? "" : reason.lines().findFirst().orElse("");
        log.warn("A {} batch of {} was not stored: {}", kind.label(), vendor.id(), line.length() > 300 ? line.substring(0, 300) + "..." : line);
        return new ProblemException(ProblemType.JOURNAL_UNAVAILABLE,
                "The database is unavailable; nothing of this batch was stored. Send the same batch again shortly");
    }
}
