package dev.junction.sync;

import dev.junction.ThreadedLifecycle;
import dev.junction.partner.Partner;
import dev.junction.partner.PartnerRegistry;
import dev.junction.partner.PartnersReloaded;
import dev.junction.partner.SyncJob;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Starts paged jobs when they are due. The schedule lives in the database ({@code sync_job.next_run_at}), so every
 * instance ticks and one of them claims each due run: a job runs once per period however many instances there are,
 * and a crashed instance's run is taken over when its lease expires. Runs go to a small pool of workers; a job is
 * not claimed while no worker is free, so a claimed run always starts at once.
 */
@Component
class SyncScheduler implements ThreadedLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SyncScheduler.class);
    private static final Duration HOUSEKEEPING = Duration.ofMinutes(1);

    private final PartnerRegistry partners;
    private final SyncRunner runner;
    private final SyncStore store;
    private final SyncSettings settings;
    private final Clock clock;
    private final Set<String> inProgress = ConcurrentHashMap.newKeySet();
    private final Semaphore free;
    private volatile ScheduledExecutorService ticker;
    private volatile ExecutorService workers;
    private volatile Instant nextHousekeeping = Instant.MIN;

    SyncScheduler(PartnerRegistry partners, SyncRunner runner, SyncStore store, SyncSettings settings, Clock clock) {
        this.partners = partners;
        this.runner = runner;
        this.store = store;
        this.settings = settings;
        this.clock = clock;
        this.free = new Semaphore(settings.workers());
    }

    @Override
    public synchronized void start() {
        Instant now = clock.instant();
        for (Partner p : partners.all()) {
            p.syncJobs().values().forEach(job -> store.ensure(p.id(), job.id(), now));
        }
        if (!settings.enabled() || ticker != null) {
            return;
        }
        workers = Executors.newFixedThreadPool(settings.workers(), daemons("sync-run-"));
        ticker = Executors.newSingleThreadScheduledExecutor(daemons("sync-schedule-"));
        long tick = Math.max(10, settings.tick().toMillis());
        ticker.scheduleWithFixedDelay(this::tick, 0, tick, TimeUnit.MILLISECONDS);
    }

    /**
     * A job a reload added gets its row (and so its schedule); a changed job runs with its new definition from the next
     * tick (the tick reads the registry), a run in progress finishes with the definition it started with; a removed
     * job is no longer offered, its row and checkpoint stay (adding it back resumes from there).
     */
    @EventListener
    void onReload(PartnersReloaded reloaded) {
        Instant now = clock.instant();
        for (Partner p : reloaded.current().all()) {
            p.syncJobs().values().forEach(job -> store.ensure(p.id(), job.id(), now));
        }
    }

    static CustomizableThreadFactory daemons(String prefix) {
        CustomizableThreadFactory f = new CustomizableThreadFactory(prefix);
        f.setDaemon(true);
        return f;
    }

    /** Looks for due jobs now rather than at the next tick (run now). */
    void wake() {
        ScheduledExecutorService t = ticker;
        if (t != null) {
            t.execute(this::tick);
        }
    }

    void tick() {
        try {
            housekeeping();
            for (Partner p : partners.all()) {
                for (SyncJob job : p.syncJobs().values()) {
                    if (job.schedule() != null) {
                        offer(p, job);
                    }
                }
            }
        } catch (RuntimeException e) {
            log.warn("Sync schedule tick failed: {}", e.toString());
        }
    }

    private void offer(Partner partner, SyncJob job) {
        String key = partner.id() + "/" + job.id();
        if (!inProgress.add(key)) {
            return;
        }
        if (!free.tryAcquire()) {
            inProgress.remove(key);
            return;
        }
        try {
            workers.execute(() -> {
                try {
                    runner.runIfDue(partner, job, "schedule", false);
                } catch (RuntimeException e) {
                    log.warn("Sync job {} could not run: {}", key, e.toString());
                } finally {
                    inProgress.remove(key);
                    free.release();
                }
            });
        } catch (RuntimeException rejectedAtShutdown) {
            inProgress.remove(key);
            free.release();
        }
    }

    private void housekeeping() {
        Instant now = clock.instant();
        if (now.isBefore(nextHousekeeping)) {
            return;
        }
        nextHousekeeping = now.plus(HOUSEKEEPING);
        store.closeAbandoned(now);
        store.pruneRuns(now.minus(settings.runRetention()));
    }

    @Override
    public synchronized void stop() {
        ScheduledExecutorService t = ticker;
        ExecutorService w = workers;
        ticker = null;
        workers = null;
        if (t != null) {
            t.shutdownNow();
        }
        if (w != null) {
            // A run in progress stops between pages when interrupted mid-fetch; its page either committed or not.
            w.shutdownNow();
            try {
                w.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return ticker != null;
    }

    /** After the routes (Camel) and delivery: a run's messages have somewhere to go. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 100;
    }
}
