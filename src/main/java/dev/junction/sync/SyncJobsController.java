package dev.junction.sync;

import dev.junction.partner.Partner;
import dev.junction.partner.PartnerRegistry;
import dev.junction.partner.SyncJob;
import dev.junction.problem.ProblemException;
import dev.junction.problem.ProblemType;
import dev.junction.security.Caller;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The sync jobs' ops API (SYNC-JOBS.md): list, run history, run now, pause, resume, and a checkpoint move (audited). */
@RestController
class SyncJobsController {

    private static final int MAX_RUNS = 1000;

    private final PartnerRegistry partners;
    private final SyncStore store;
    private final SyncScheduler scheduler;
    private final Clock clock;
    private final List<ContinuousSources> continuous;

    SyncJobsController(PartnerRegistry partners, SyncStore store, SyncScheduler scheduler, Clock clock, List<ContinuousSources> continuous) {
        this.continuous = continuous;
        this.partners = partners;
        this.store = store;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    /** A checkpoint to move to; both null starts the job over from the source's first record. */
    record CheckpointMove(String cursor, String id) {}

    @GetMapping("/ops/sync-jobs")
    List<SyncJobView> list() {
        List<SyncJobView> views = new ArrayList<>();
        for (Partner p : partners.all()) {
            for (SyncJob job : p.syncJobs().values()) {
                views.add(view(p, job));
            }
        }
        return views;
    }

    @GetMapping("/ops/sync-jobs/{partner}/{job}")
    SyncJobView one(@PathVariable String partner, @PathVariable String job) {
        Partner p = partner(partner);
        return view(p, job(p, job));
    }

    @GetMapping("/ops/sync-jobs/{partner}/{job}/runs")
    List<SyncJobView.LastRun> runs(@PathVariable String partner, @PathVariable String job, @RequestParam(defaultValue = "20") int limit) {
        job(partner(partner), job);
        if (limit < 1 || limit > MAX_RUNS) {
            throw new ProblemException(ProblemType.MALFORMED_REQUEST, "limit must be between 1 and " + MAX_RUNS);
        }
        return store.runs(partner, job, limit).stream().map(SyncJobView.LastRun::of).toList();
    }

    @PostMapping("/ops/sync-jobs/{partner}/{job}/run")
    ResponseEntity<SyncJobView> run(@PathVariable String partner, @PathVariable String job, HttpServletRequest request) {
        Partner p = partner(partner);
        SyncJob j = paged(p, job(p, job), "run on demand");
        Instant now = clock.instant();
        SyncStore.JobRow row = row(p, j);
        if (row.paused()) {
            throw new ProblemException(ProblemType.CONFLICT, "Sync job " + partner + "/" + job + " is paused; resume it first");
        }
        if (row.runningAt(now) || !store.dueNow(partner, job, now)) {
            throw new ProblemException(ProblemType.CONFLICT, "Sync job " + partner + "/" + job + " is running (on "
                    + row.leaseOwner() + "); see GET /ops/sync-jobs/" + partner + "/" + job + "/runs");
        }
        store.audit(now, actor(request), "sync-run", partner, "job " + job);
        scheduler.wake();
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(view(p, j));
    }

    @PostMapping("/ops/sync-jobs/{partner}/{job}/pause")
    SyncJobView pause(@PathVariable String partner, @PathVariable String job, HttpServletRequest request) {
        return setPaused(partner, job, true, request);
    }

    @PostMapping("/ops/sync-jobs/{partner}/{job}/resume")
    SyncJobView resume(@PathVariable String partner, @PathVariable String job, HttpServletRequest request) {
        return setPaused(partner, job, false, request);
    }

    @PostMapping("/ops/sync-jobs/{partner}/{job}/checkpoint")
    SyncJobView checkpoint(@PathVariable String partner, @PathVariable String job, @RequestBody(required = false) CheckpointMove body,
                           HttpServletRequest request) {
        Partner p = partner(partner);
        SyncJob j = paged(p, job(p, job), "checkpoint move (a Kafka job's position is its consumer group's offsets)");
        if (body == null) {
            throw new ProblemException(ProblemType.MALFORMED_REQUEST, "The body must be a JSON object {\"cursor\": ..., \"id\": ...}");
        }
        Checkpoint to = new Checkpoint(blankToNull(body.cursor()), blankToNull(body.id()));
        if (to.cursor() == null && to.id() != null) {
            throw new ProblemException(ProblemType.MALFORMED_REQUEST, "id without cursor: give a cursor, or neither to start over");
        }
        for (String v : new String[] {to.cursor(), to.id()}) {
            if (v != null && v.length() > 255) {
                throw new ProblemException(ProblemType.MALFORMED_REQUEST, "cursor and id are at most 255 characters");
            }
        }
        Instant now = clock.instant();
        Checkpoint old = row(p, j).checkpoint();
        if (!store.moveCheckpoint(partner, job, to, now)) {
            throw new ProblemException(ProblemType.CONFLICT, "Sync job " + partner + "/" + job
                    + " is running; pause it, wait for the run to stop, then move the checkpoint");
        }
        store.audit(now, actor(request), "sync-checkpoint", partner, "job " + job + ": " + render(old) + " -> " + render(to));
        return view(p, j);
    }

    private SyncJobView setPaused(String partner, String job, boolean paused, HttpServletRequest request) {
        Partner p = partner(partner);
        SyncJob j = job(p, job);
        row(p, j);
        store.setPaused(partner, job, paused);
        store.audit(clock.instant(), actor(request), paused ? "sync-pause" : "sync-resume", partner, "job " + job);
        return view(p, j);
    }

    private SyncJobView view(Partner p, SyncJob job) {
        Instant now = clock.instant();
        SyncStore.JobRow row = row(p, job);
        if (job.schedule() == null) {
            return continuousView(p, job, row);
        }
        SyncStore.RunRow last = store.lastRun(p.id(), job.id()).orElse(null);
        boolean running = row.runningAt(now);
        String state = row.paused() ? "paused"
                : running ? "running"
                : last != null && ("failed".equals(last.outcome()) || "lease-lost".equals(last.outcome())) ? "failing"
                : "idle";
        return new SyncJobView(p.id(), job.id(), sourceName(job), state,
                job.schedule() == null ? "continuous" : job.schedule().toString(), row.lastRunAt(), row.lastSuccessAt(),
                row.checkpoint(), last == null ? null : SyncJobView.LastRun.of(last), running ? row.leaseOwner() : null,
                job.schedule() == null ? null : row.nextRunAt());
    }

    /**
     * A Kafka job as this instance's consumer sees it: no runs, so {@code lastRun} sums up the consumer since it
     * started (records, journaled, duplicates; outcome its state, {@code backpressure} while held by the backlog).
     */
    private SyncJobView continuousView(Partner p, SyncJob job, SyncStore.JobRow row) {
        ContinuousSources.Status s = continuous.stream().map(c -> c.continuousStatus(p.id(), job.id()))
                .flatMap(java.util.Optional::stream).findFirst().orElse(null);
        String state = row.paused() ? "paused"
                : s == null || "stopped".equals(s.state()) || "failing".equals(s.state()) ? "failing"
                : "running";
        SyncJobView.LastRun summary = s == null ? null : new SyncJobView.LastRun(null, "consumer", s.since(), null, 0,
                (int) s.records(), (int) s.journaled(), (int) s.duplicates(), s.backpressure() ? "backpressure" : s.state(),
                s.lastError());
        return new SyncJobView(p.id(), job.id(), sourceName(job), state, "continuous", s == null ? null : s.lastRecordAt(),
                s == null ? null : s.lastRecordAt(), row.checkpoint(), summary, null, null);
    }

    private SyncStore.JobRow row(Partner p, SyncJob job) {
        // A job added since startup (or a row lost) gets its row on first sight.
        return store.ensure(p.id(), job.id(), clock.instant());
    }

    private static String sourceName(SyncJob job) {
        return job.source() instanceof SyncJob.HttpSource ? "http" : job.source() instanceof SyncJob.SqlSource ? "sql" : "kafka";
    }

    private SyncJob paged(Partner p, SyncJob job, String what) {
        if (job.source() instanceof SyncJob.KafkaSource) {
            throw new ProblemException(ProblemType.CONFLICT, "Sync job " + p.id() + "/" + job.id()
                    + " consumes a Kafka topic continuously: no " + what);
        }
        return job;
    }

    private Partner partner(String id) {
        return partners.find(id).orElseThrow(() -> new ProblemException(ProblemType.NOT_FOUND, "No partner '" + id + "'"));
    }

    private SyncJob job(Partner p, String job) {
        return p.syncJob(job).orElseThrow(() -> new ProblemException(ProblemType.NOT_FOUND,
                "Partner '" + p.id() + "' has no sync job '" + job + "'"));
    }

    private static String actor(HttpServletRequest request) {
        return Caller.of(request).map(Caller::keyId).orElse("unknown");
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static String render(Checkpoint c) {
        return "{cursor: " + c.cursor() + ", id: " + c.id() + "}";
    }
}
