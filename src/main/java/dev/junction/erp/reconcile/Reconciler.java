package dev.junction.erp.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.erp.mirror.Kind;
import dev.junction.erp.mirror.MirrorRepair;
import dev.junction.partner.Partner;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Reconciles one kind of one vendor: compares the hub's checksum with the agent's over the whole key space, splits a
 * mismatched range in two at the hub's median key until the hub holds at most {@code maxBucket} records in it, then
 * fetches the agent's records of that range (every page, however many the agent has) and repairs the range.
 *
 * <p>The hub's side is one read of the kind's live keys and hashes, ordered here in Java by UTF-8 bytes, rather than a
 * checksum query per range. One scan serves every range of the run (a range's checksum is then a walk over a sublist),
 * and the order is the protocol's on both databases without depending on their collations: PostgreSQL orders by the
 * database's collation unless told {@code COLLATE "C"}, and H2 by UTF-16 units, wrong for supplementary characters.
 * The cost is memory, about 150 bytes a record (15 MB for 100,000 items), for the length of a run. The snapshot may age
 * while the run goes on: a batch stored meanwhile at worst makes a range look different, and its repair then finds the
 * agent's records {@code unchanged}; a deletion only applies to a record whose hash is still the one compared.
 */
@Component
class Reconciler {

    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
    /** A misbehaving agent whose {@code next} never ends must not hold the run forever. */
    private static final int MAX_PAGES_PER_RANGE = 10_000;

    private final MirrorRepair mirror;
    private final ReconcileMetrics metrics;

    Reconciler(MirrorRepair mirror, ReconcileMetrics metrics) {
        this.mirror = mirror;
        this.metrics = metrics;
    }

    /** A range {@code [from, to)} (null: open) and the hub's records in it, {@code hub[lo, hi)}. */
    private record Slice(String from, String to, int lo, int hi) {
        int size() {
            return hi - lo;
        }
    }

    /** Fills {@code report}; throws when the agent or the database fails, the report then says how far it got. */
    void reconcile(Partner vendor, Kind kind, AgentClient agent, String runId, Runnable keepLease, KindReport report)
            throws AgentClient.AgentException, InterruptedException, SQLException {
        int maxBucket = Math.max(1, vendor.agent().maxBucket());
        List<MirrorRepair.Entry> hub = new ArrayList<>(mirror.live(vendor.id(), kind));
        hub.sort(Comparator.comparing(MirrorRepair.Entry::key, Checksums.BYTE_ORDER));
        Deque<Slice> work = new ArrayDeque<>();
        work.push(new Slice(null, null, 0, hub.size()));
        try {
            while (!work.isEmpty()) {
                Slice s = work.pop();
                keepLease.run();
                report.ranges++;
                AgentClient.Checksum theirs = agent.checksum(kind, s.from(), s.to());
                List<MirrorRepair.Entry> ours = hub.subList(s.lo(), s.hi());
                if (theirs.count() == ours.size() && theirs.checksum().equals(checksum(ours))) {
                    continue;
                }
                if (s.size() <= maxBucket) {
                    repair(vendor, kind, agent, s, ours, runId, keepLease, report);
                    continue;
                }
                // Split at the hub's median key: both halves hold hub records, so every split makes progress.
                int mid = s.lo() + s.size() / 2;
                String midKey = hub.get(mid).key();
                work.push(new Slice(midKey, s.to(), mid, s.hi()));
                work.push(new Slice(s.from(), midKey, s.lo(), mid));
            }
        } finally {
            report.requests = agent.requests();
        }
    }

    private void repair(Partner vendor, Kind kind, AgentClient agent, Slice s, List<MirrorRepair.Entry> ours, String runId,
                        Runnable keepLease, KindReport report) throws AgentClient.AgentException, InterruptedException {
        int limit = Math.min(1000, Math.max(100, vendor.agent().maxBucket()));
        List<JsonNode> records = new ArrayList<>();
        String from = s.from();
        for (int page = 1; ; page++) {
            keepLease.run();
            AgentClient.Page p = agent.records(kind, from, s.to(), limit);
            records.addAll(p.records());
            report.fetched += p.records().size();
            if (p.next() == null) {
                break;
            }
            // An agent whose next does not move forward would page forever.
            if ((from != null && Checksums.compare(p.next(), from) <= 0) || page == MAX_PAGES_PER_RANGE) {
                throw new AgentClient.AgentException("records of " + kind.plural() + " " + AgentClient.range(s.from(), s.to())
                        + ": next " + p.next() + " does not move past " + from);
            }
            from = p.next();
        }
        MirrorRepair.Result result = mirror.repair(vendor, kind, records, ours, runId);
        int repaired = (int) (result.created() + result.updated());
        int drifted = repaired + result.deleted().size() + (int) result.rejected();
        report.repaired += repaired;
        report.deleted += result.deleted().size();
        report.drifted += drifted;
        metrics.count(vendor.id(), kind, drifted, repaired, result.deleted().size());
        if (!result.rejections().isEmpty()) {
            // The hub keeps its version of a record the pipeline refuses; ops see why in the log and in error.
            log.warn("Reconciliation {} of {}: {} {} of the agent's refused, kept as the hub has them: {}", runId, vendor.id(),
                    result.rejected(), kind.plural(), result.rejections().stream().limit(5).toList());
            String note = result.rejected() + " of the agent's " + kind.plural() + " refused by validation or mapping, e.g. "
                    + result.rejections().get(0);
            report.error = report.error == null ? note : report.error;
        }
    }

    private static String checksum(List<MirrorRepair.Entry> sorted) {
        return Checksums.of(sorted.stream().map(e -> new Checksums.Line(e.key(), e.hash())).toList());
    }
}
