package dev.junction.sync;

import java.time.Instant;

/**
 * A job as {@code GET /ops/sync-jobs} shows it (SYNC-JOBS.md, "Ops API").
 *
 * @param state {@code idle}, {@code running}, {@code paused} or {@code failing} (the last run failed or lost its lease)
 * @param owner the instance running it, while running
 */
public record SyncJobView(String partner, String job, String source, String state, String schedule, Instant lastRunAt,
                          Instant lastSuccessAt, Checkpoint checkpoint, LastRun lastRun, String owner, Instant nextRunAt) {

    /** @param outcome completed, failed, lease-lost, paused, backpressure, or running */
    public record LastRun(String runId, String cause, Instant startedAt, Instant finishedAt, int pages, int records, int journaled,
                          int duplicates, String outcome, String error) {

        static LastRun of(SyncStore.RunRow r) {
            return new LastRun(r.runId(), r.cause(), r.startedAt(), r.finishedAt(), r.pages(), r.records(), r.journaled(),
                    r.duplicates(), r.outcome(), r.error());
        }
    }
}
