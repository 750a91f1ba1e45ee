package dev.junction.erp.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.erp.mirror.Kind;
import dev.junction.erp.mirror.MirrorRepair;
import dev.junction.partner.Partner;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Reconciles one kind of one vendor: compares the hub's checksum with the agent's over the whole key space, splits a
 * mismatched range in two at the hub's median key until the hub holds at most {@code maxBucket} records in it, then
 * fetches the agent's records of that range (every page, however many the agent has) and repairs the range.
 *
 * <p>The hub's side is one read of the kind's live keys and hashes, ordered here in Java by UTF-8 bytes, rather than a
 * checksum query per range. One scan serves every range of the run (a range's checksum is then a digest over lines
 * encoded once, {@link Checksums.Lines}), and the order is the protocol's on both databases without depending on their
 * collations: PostgreSQL orders by the database's collation unless told {@code COLLATE "C"}, and H2 by UTF-16 units,
 * wrong for supplementary characters. The cost is memory, about 350 bytes a record (35 MB for 100,000 items), for the
 * length of a kind's run. The snapshot may age while the run goes on: a batch stored meanwhile at worst makes a range
 * look different, and its repair then finds the agent's records {@code unchanged}; a deletion only applies to a record
 * whose hash is still the one compared.
 *
 * <p>The ranges are independent reads of the agent, so up to {@code parallelism} of them are in flight at once (the
 * bound holds because each of that many workers makes one request at a time): a run over 100,000 records with scattered
 * drift checks about a hundred ranges, and one after the other they cost a hundred round trips. Two halves of a
 * mismatched range go one after the other, though: when the first half matches, the second must differ (their lines
 * make up the parent's), so it is split or repaired without asking the agent. Should the agent's data change in
 * between, that costs a repair that finds its records {@code unchanged}, never a missed drift: every range still
 * ends compared or repaired.
 */
@Component
class Reconciler {

    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
    /** A misbehaving agent whose {@code next} never ends must not hold the run forever. */
    private static final int MAX_PAGES_PER_RANGE = 10_000;

    private final MirrorRepair mirror;
    private final ReconcileMetrics metrics;
    private final int parallelism;

    Reconciler(MirrorRepair mirror, ReconcileMetrics metrics, ReconcileSettings settings) {
        this.mirror = mirror;
        this.metrics = metrics;
        this.parallelism = Math.max(1, settings.parallelism());
    }

    /**
     * A range {@code [from, to)} (null: open) and the hub's records in it, {@code hub[lo, hi)}. {@code different}: known
     * to differ at the agent without asking (its sibling matched). {@code sibling}: the second half, started once this
     * first half is compared.
     */
    private record Slice(String from, String to, int lo, int hi, boolean different, Slice sibling) {
        int size() {
            return hi - lo;
        }

        Slice known(boolean different) {
            return new Slice(from, to, lo, hi, different, null);
        }
    }

    /**
     * Fills {@code report}; throws when the agent or the database fails, or the lease is lost, the report then says how
     * far it got. {@code keepLease} runs before every request; {@code fence} in every repair's transaction.
     */
    void reconcile(Partner vendor, Kind kind, AgentClient agent, String runId, Runnable keepLease, MirrorRepair.Fence fence,
                   KindReport report) throws AgentClient.AgentException, InterruptedException, SQLException {
        List<MirrorRepair.Entry> hub = new ArrayList<>(mirror.live(vendor.id(), kind));
        hub.sort(Comparator.comparing(MirrorRepair.Entry::key, Checksums.BYTE_ORDER));
        Checksums.Lines lines = new Checksums.Lines(hub.stream().map(e -> new Checksums.Line(e.key(), e.hash())).toList());
        Walk walk = new Walk(vendor, kind, agent, runId, keepLease, fence, report, hub, lines);
        try {
            walk.run(new Slice(null, null, 0, hub.size(), false, null));
        } finally {
            report.requests = agent.requests();
        }
    }

    /** One kind's walk down the mismatched ranges, on a pool of {@code parallelism} workers of its own. */
    private final class Walk {
        private final Partner vendor;
        private final Kind kind;
        private final AgentClient agent;
        private final String runId;
        private final Runnable keepLease;
        private final MirrorRepair.Fence fence;
        private final KindReport report;
        private final List<MirrorRepair.Entry> hub;
        private final Checksums.Lines lines;
        private final int maxBucket;
        private final ExecutorService workers;
        /** Slices submitted and not yet done; the walk is over when it drops to zero. */
        private final AtomicInteger pending = new AtomicInteger();
        private final CountDownLatch over = new CountDownLatch(1);
        /** The first failure: no slice starts after it, those in flight finish (a repair is one transaction anyway). */
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Walk(Partner vendor, Kind kind, AgentClient agent, String runId, Runnable keepLease, MirrorRepair.Fence fence,
             KindReport report, List<MirrorRepair.Entry> hub, Checksums.Lines lines) {
            this.vendor = vendor;
            this.kind = kind;
            this.agent = agent;
            this.runId = runId;
            this.keepLease = keepLease;
            this.fence = fence;
            this.report = report;
            this.hub = hub;
            this.lines = lines;
            this.maxBucket = Math.max(1, vendor.agent().maxBucket());
            AtomicInteger n = new AtomicInteger();
            this.workers = Executors.newFixedThreadPool(parallelism, r -> {
                Thread t = new Thread(r, "erp-reconcile-" + vendor.id() + "-" + kind.plural() + "-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }

        void run(Slice root) throws AgentClient.AgentException, InterruptedException, SQLException {
            try {
                submit(root);
                over.await();
            } catch (InterruptedException e) {
                // The hub is stopping: the requests in flight are interrupted too.
                workers.shutdownNow();
                throw e;
            } finally {
                workers.shutdown();
            }
            Throwable failed = failure.get();
            if (failed instanceof AgentClient.AgentException e) {
                throw e;
            }
            if (failed instanceof SQLException e) {
                throw e;
            }
            if (failed instanceof InterruptedException e) {
                throw e;
            }
            if (failed instanceof RuntimeException e) {
                throw e;
            }
            if (failed instanceof Error e) {
                throw e;
            }
            if (failed != null) {
                throw new IllegalStateException(failed);
            }
        }

        private void submit(Slice s) {
            pending.incrementAndGet();
            try {
                workers.execute(() -> step(s));
            } catch (RejectedExecutionException e) {
                failure.compareAndSet(null, e);
                done();
            }
        }

        private void step(Slice s) {
            try {
                if (failure.get() == null) {
                    visit(s);
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            } finally {
                done();
            }
        }

        private void done() {
            if (pending.decrementAndGet() == 0) {
                over.countDown();
            }
        }

        private void visit(Slice s) throws AgentClient.AgentException, InterruptedException {
            keepLease.run();
            synchronized (report) {
                report.ranges++;
            }
            boolean different = s.different();
            if (!different) {
                AgentClient.Checksum theirs = agent.checksum(kind, s.from(), s.to());
                different = theirs.count() != s.size() || !theirs.checksum().equals(lines.checksum(s.lo(), s.hi()));
            }
            if (s.sibling() != null) {
                // This first half matching means the second differs; differing, the second must be asked.
                submit(s.sibling().known(!different));
            }
            if (!different) {
                return;
            }
            if (s.size() <= maxBucket) {
                repair(s);
                return;
            }
            // Split at the hub's median key: both halves hold hub records, so every split makes progress.
            int mid = s.lo() + s.size() / 2;
            String midKey = hub.get(mid).key();
            Slice second = new Slice(midKey, s.to(), mid, s.hi(), false, null);
            submit(new Slice(s.from(), midKey, s.lo(), mid, false, second));
        }

        private void repair(Slice s) throws AgentClient.AgentException, InterruptedException {
            int limit = Math.min(1000, Math.max(100, maxBucket));
            List<JsonNode> records = new ArrayList<>();
            String from = s.from();
            for (int page = 1; ; page++) {
                keepLease.run();
                AgentClient.Page p = agent.records(kind, from, s.to(), limit);
                records.addAll(p.records());
                synchronized (report) {
                    report.fetched += p.records().size();
                }
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
            List<MirrorRepair.Entry> ours = hub.subList(s.lo(), s.hi());
            MirrorRepair.Result result = mirror.repair(vendor, kind, records, ours, runId, fence);
            int repaired = (int) (result.created() + result.updated());
            int drifted = repaired + result.deleted().size() + (int) result.rejected();
            synchronized (report) {
                report.repaired += repaired;
                report.deleted += result.deleted().size();
                report.drifted += drifted;
            }
            metrics.count(vendor.id(), kind, drifted, repaired, result.deleted().size());
            if (!result.rejections().isEmpty()) {
                // The hub keeps its version of a record the pipeline refuses; ops see why in the log and in error.
                log.warn("Reconciliation {} of {}: {} {} of the agent's refused, kept as the hub has them: {}", runId, vendor.id(),
                        result.rejected(), kind.plural(), result.rejections().stream().limit(5).toList());
                String note = result.rejected() + " of the agent's " + kind.plural() + " refused by validation or mapping, e.g. "
                        + result.rejections().get(0);
                synchronized (report) {
                    report.error = report.error == null ? note : report.error;
                }
            }
        }
    }
}
