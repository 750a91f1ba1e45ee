package dev.junction.sync;

import dev.junction.InstanceId;
import dev.junction.partner.Partner;
import dev.junction.partner.PartnerEvent;
import dev.junction.partner.SyncJob;
import jakarta.annotation.PreDestroy;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.support.CronExpression;
import org.springframework.stereotype.Component;

/**
 * One run of a paged job: from its checkpoint (or a lookback behind it), page after page, each page journaled with
 * the checkpoint in one transaction (SyncJournal), until a short page; the next page is fetched while the current one
 * commits. Before each commit it stops when the job is paused, when the partner's backlog is over {@code maxBacklog},
 * or when its lease was taken over. A source failure ends the
 * run with the checkpoint at the last committed page; the next run resumes there.
 */
@Component
class SyncRunner {

    private static final Logger log = LoggerFactory.getLogger(SyncRunner.class);

    private final List<PageSource> sources;
    private final SyncJournal journal;
    private final SyncStore store;
    private final SyncMetrics metrics;
    private final SyncSettings settings;
    private final InstanceId instance;
    private final Clock clock;
    private final ExecutorService fetchers = Executors.newCachedThreadPool(SyncScheduler.daemons("sync-fetch-"));

    SyncRunner(List<PageSource> sources, SyncJournal journal, SyncStore store, SyncMetrics metrics, SyncSettings settings,
               InstanceId instance, Clock clock) {
        this.sources = sources;
        this.journal = journal;
        this.store = store;
        this.metrics = metrics;
        this.settings = settings;
        this.instance = instance;
        this.clock = clock;
    }

    /** How a run ended. */
    enum Outcome {
        COMPLETED("completed"), FAILED("failed"), LEASE_LOST("lease-lost"), PAUSED("paused"), BACKPRESSURE("backpressure");

        final String value;

        Outcome(String value) {
            this.value = value;
        }
    }

    /** Claims the job if it is due (or {@code force}) and runs it to the end on this thread; empty when not claimed. */
    java.util.Optional<String> runIfDue(Partner partner, SyncJob job, String cause, boolean force) {
        PageSource source = sourceFor(job);
        String runId = UUID.randomUUID().toString();
        Instant now = clock.instant();
        if (!store.claim(partner.id(), job.id(), instance.value(), runId, now, now.plus(settings.lease()), force)) {
            return java.util.Optional.empty();
        }
        run(partner, job, source, runId, cause);
        return java.util.Optional.of(runId);
    }

    private void run(Partner partner, SyncJob job, PageSource source, String runId, String cause) {
        Checkpoint stored = store.find(partner.id(), job.id()).orElseThrow().checkpoint();
        Checkpoint from = Checkpoints.start(stored, job.lookback());
        store.startRun(runId, partner.id(), job.id(), instance.value(), cause, clock.instant(), from);
        SyncJournal.Fence fence = new SyncJournal.Fence(instance.value(), runId, settings.lease());
        PartnerEvent event = partner.event(job.event()).orElseThrow();
        Outcome outcome = Outcome.COMPLETED;
        String error = null;
        BacklogWatch backlog = new BacklogWatch(store, partner.id(), job.maxBacklog(), clock);
        Future<Page> ahead = null;
        try {
            Page page = source.fetch(partner, job, from);
            while (true) {
                List<PulledRecord> records = page.records();
                RecordSchema.check(event, records);
                // Checked before each commit, so a pause or a backlog stops the run before the page fetched meanwhile.
                if (store.paused(partner.id(), job.id())) {
                    outcome = Outcome.PAUSED;
                    break;
                }
                if (backlog.over()) {
                    outcome = Outcome.BACKPRESSURE;
                    error = "the partner's backlog is over maxBacklog (" + job.maxBacklog() + " undelivered messages); "
                            + "pulling resumes when its targets catch up";
                    break;
                }
                if (!store.renew(partner.id(), job.id(), runId, clock.instant().plus(settings.lease()))) {
                    throw new SyncJournal.LeaseLostException(partner.id(), job.id());
                }
                Checkpoint last = records.isEmpty() ? from : records.get(records.size() - 1).checkpoint();
                boolean more = !page.last() && !records.isEmpty();
                if (more && !from.isStart() && Checkpoints.ORDER.compare(last, from) <= 0) {
                    throw new IllegalStateException("the source answered a full page that does not move past " + from
                            + ": it must return records after the given cursor and id, ordered by (cursor, id)");
                }
                if (more) {
                    // One page of read-ahead: the source's time and the parsing overlap this page's commit. Still one
                    // request at a time to the partner; the checkpoint moves only with commits, so a page fetched
                    // ahead of a failed commit is dropped and fetched again by the next run.
                    ahead = fetchAhead(partner, job, source, last);
                }
                // A lookback re-reads behind the stored checkpoint: the checkpoint itself never moves back.
                stored = Checkpoints.max(stored, last);
                SyncJournal.Result result = journal.commitPage(partner, job, records, stored, fence);
                backlog.journaled(result.journaled());
                metrics.page(partner.id(), job.id(), records.size(), result, stored);
                if (!more) {
                    break;
                }
                from = last;
                page = awaitPage(ahead);
                ahead = null;
            }
        } catch (SyncJournal.LeaseLostException e) {
            outcome = Outcome.LEASE_LOST;
            error = e.getMessage();
        } catch (Exception e) {
            outcome = Outcome.FAILED;
            error = describe(e);
            metrics.error(partner.id(), job.id());
            log.warn("Sync job {}/{} run {} failed; the checkpoint stays at the last committed page: {}", partner.id(), job.id(), runId, error);
        } finally {
            settle(ahead);
        }
        Instant end = clock.instant();
        store.finishRun(runId, end, outcome.value, error);
        store.release(partner.id(), job.id(), runId, next(job, end), outcome == Outcome.COMPLETED ? end : null);
    }

    private Future<Page> fetchAhead(Partner partner, SyncJob job, PageSource source, Checkpoint from) {
        return fetchers.submit(() -> source.fetch(partner, job, from));
    }

    private static Page awaitPage(Future<Page> ahead) throws Exception {
        try {
            return ahead.get();
        } catch (ExecutionException e) {
            // The source's own failure, as if fetched on this thread: it is what the run row and the log must say.
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /**
     * Waits for a page fetched ahead of a run that ended early: the run ends with no request of its left in flight
     * (the partner sees one request at a time per job). Not interrupted: an interrupt can close a JDBC source's file.
     */
    private static void settle(Future<Page> ahead) {
        if (ahead == null) {
            return;
        }
        try {
            ahead.get();
        } catch (ExecutionException e) {
            // The run already ended for another reason; this page was never going to be committed.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @PreDestroy
    void stop() {
        fetchers.shutdownNow();
    }

    private PageSource sourceFor(SyncJob job) {
        return sources.stream().filter(s -> s.reads(job.source())).findFirst()
                .orElseThrow(() -> new IllegalStateException("no paged source reads " + job.source().getClass().getSimpleName()));
    }

    /** The next start after a run ended at {@code end}: the fixed delay, or the cron's next time (in UTC). */
    static Instant next(SyncJob job, Instant end) {
        SyncJob.Schedule s = job.schedule();
        if (s.cron() == null) {
            return end.plus(s.fixedDelay());
        }
        var next = CronExpression.parse(s.cron()).next(end.atZone(ZoneOffset.UTC));
        // A cron that never fires again (a 30th of February) leaves the job to run-now only.
        return next == null ? end.plus(java.time.Duration.ofDays(36_500)) : next.toInstant();
    }

    /** The failure as ops read it: its message, and its cause's when the message is not enough. */
    private static String describe(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && !message.contains(cause.getMessage())) {
            message += ": " + cause.getMessage();
        }
        return message;
    }
}
