package dev.junction.erp.reconcile;

import dev.junction.InstanceId;
import dev.junction.erp.mirror.Kind;
import dev.junction.partner.Partner;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Starts reconciliation runs: takes the vendor's lease (one run per vendor across instances), records one row per
 * kind, runs the kinds in the background (warehouses and items before stock, which needs them) and releases the lease.
 */
@Component
class Reconciliations {

    private static final Logger log = LoggerFactory.getLogger(Reconciliations.class);
    /** Warehouses and items first: a repaired stock record needs its warehouse and item in the mirror. */
    static final List<Kind> ORDER = List.of(Kind.WAREHOUSE, Kind.ITEM, Kind.STOCK);

    private final Reconciler reconciler;
    private final RunStore store;
    private final ReconcileMetrics metrics;
    private final ReconcileSettings settings;
    private final Environment environment;
    private final InstanceId instance;
    private final Clock clock;
    private final HttpClient http;
    private final ExecutorService runs = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "erp-reconcile");
        t.setDaemon(true);
        return t;
    });

    Reconciliations(Reconciler reconciler, RunStore store, ReconcileMetrics metrics, ReconcileSettings settings,
                    Environment environment, InstanceId instance, Clock clock) {
        this.reconciler = reconciler;
        this.store = store;
        this.metrics = metrics;
        this.settings = settings;
        this.environment = environment;
        this.instance = instance;
        this.clock = clock;
        this.http = AgentClient.httpClient(settings.connectTimeout());
    }

    @jakarta.annotation.PreDestroy
    void stop() {
        // A run cut short leaves its lease to expire; its rows keep finished_at null, which ops read as interrupted.
        runs.shutdownNow();
    }

    /** The new run's id, or empty when a run of this vendor holds the lease (on any instance). */
    Optional<String> start(Partner vendor, String agentUrl, String cause) {
        String runId = UUID.randomUUID().toString();
        Instant now = clock.instant();
        if (!store.acquire(vendor.id(), runId, instance.value(), now, now.plus(settings.lease()))) {
            return Optional.empty();
        }
        try {
            runs.execute(() -> run(vendor, agentUrl, runId, cause));
        } catch (RuntimeException e) {
            store.release(vendor.id(), runId);
            throw e;
        }
        return Optional.of(runId);
    }

    /** Records a run that did not call the agent (it is offline), one row per kind, so ops see the gap. */
    void skip(Partner vendor, String why) {
        String runId = UUID.randomUUID().toString();
        Instant now = clock.instant();
        if (!store.acquire(vendor.id(), runId, instance.value(), now, now.plus(settings.lease()))) {
            return;
        }
        try {
            for (int i = 0; i < ORDER.size(); i++) {
                KindReport report = new KindReport();
                report.error = "skipped: " + why;
                store.start(runId, vendor.id(), ORDER.get(i).plural(), i, "schedule", now);
                store.finish(runId, ORDER.get(i).plural(), report, now);
            }
            metrics.run(vendor.id(), "skipped");
            log.info("Reconciliation of {} skipped: {}", vendor.id(), why);
        } finally {
            store.release(vendor.id(), runId);
        }
    }

    /** The run no longer holds its vendor's lease. */
    static final class LeaseLost extends RuntimeException {
        LeaseLost(String message) {
            super(message, null, false, false);
        }
    }

    private void run(Partner vendor, String agentUrl, String runId, String cause) {
        boolean failed = false;
        try {
            Lease lease = new Lease(vendor.id(), runId);
            AgentClient agent = new AgentClient(http, agentUrl, secret(vendor), settings.timeout());
            boolean lost = false;
            for (int i = 0; i < ORDER.size(); i++) {
                Kind kind = ORDER.get(i);
                store.start(runId, vendor.id(), kind.plural(), i, cause, clock.instant());
                KindReport report = new KindReport();
                int before = agent.requests();
                try {
                    reconciler.reconcile(vendor, kind, agent, runId, lease, lease::fence, report);
                } catch (LeaseLost e) {
                    // Another run holds the vendor now: this one writes no more repairs (the fence refused the one
                    // that noticed) and leaves the remaining kinds to it.
                    report.error = e.getMessage();
                    lost = true;
                    log.warn("Reconciliation {} of {} {} stopped: {}", runId, vendor.id(), kind.plural(), report.error);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    report.error = "interrupted: the hub is stopping";
                } catch (Exception e) {
                    // Each kind on its own: a kind that failed leaves the others to try (and the mirror as it was for its
                    // unrepaired ranges: a repair is one transaction).
                    report.error = e instanceof AgentClient.AgentException ? e.getMessage() : e.toString();
                    log.warn("Reconciliation {} of {} {} stopped: {}", runId, vendor.id(), kind.plural(), report.error);
                }
                report.requests = agent.requests() - before;
                failed |= report.error != null;
                store.finish(runId, kind.plural(), report, clock.instant());
                log.info("Reconciliation {} of {} {}: {} ranges, {} requests, {} fetched, {} drifted, {} repaired, {} deleted{}",
                        runId, vendor.id(), kind.plural(), report.ranges, report.requests, report.fetched, report.drifted,
                        report.repaired, report.deleted, report.error == null ? "" : ", error: " + report.error);
                if (Thread.currentThread().isInterrupted() || lost) {
                    break;
                }
            }
        } catch (RuntimeException e) {
            failed = true;
            log.warn("Reconciliation {} of {} failed: {}", runId, vendor.id(), e.toString());
        } finally {
            metrics.run(vendor.id(), failed ? "failed" : "ok");
            store.release(vendor.id(), runId);
        }
    }

    /**
     * The vendor's orders secret, its {@code ${ENV}} placeholder resolved now (a rotated secret is used by the next run).
     * Unset, or a placeholder nothing resolves: the agent is called without Authorization, and the log says so, since
     * an agent that checks the token then answers 401 and the run records it.
     */
    private String secret(Partner vendor) {
        String placeholder = vendor.agent().secret();
        if (placeholder == null || placeholder.isBlank()) {
            log.info("Vendor {} has no agent.orders.secret: reconciliation calls its agent without Authorization", vendor.id());
            return null;
        }
        String resolved = environment.resolvePlaceholders(placeholder);
        if (resolved.contains("${") || resolved.isBlank()) {
            log.warn("Vendor {}'s agent.orders.secret {} does not resolve: reconciliation calls its agent without Authorization",
                    vendor.id(), placeholder);
            return null;
        }
        return resolved;
    }

    /** Renews the run's lease while it works, and fences its repairs; a lost lease stops the run. */
    private final class Lease implements Runnable {
        private final String vendor;
        private final String runId;
        private Instant renewed;

        Lease(String vendor, String runId) {
            this.vendor = vendor;
            this.runId = runId;
            this.renewed = clock.instant();
        }

        /** Called by the run's workers before each request; renews at most every quarter of the lease. */
        @Override
        public synchronized void run() {
            Instant now = clock.instant();
            if (now.isBefore(renewed.plus(settings.lease().dividedBy(4)))) {
                return;
            }
            if (!store.renew(vendor, runId, now.plus(settings.lease()))) {
                throw lost();
            }
            renewed = now;
        }

        /**
         * In each repair's transaction: the renewal between requests can be a quarter of the lease old, and a run's
         * thread can stall (a GC pause, a suspended VM) past its expiry, so only a check that holds the lease row until
         * the commit keeps a run that lost the vendor from writing after the new holder started.
         */
        void fence(java.sql.Connection c) throws java.sql.SQLException {
            if (!RunStore.holds(c, vendor, runId, clock.instant().plus(settings.lease()))) {
                throw lost();
            }
        }

        private LeaseLost lost() {
            return new LeaseLost("the lease on " + vendor + " expired and another run took it: stopped, no further repairs");
        }
    }
}
