package dev.junction.sync;

import dev.junction.partner.Partner;
import dev.junction.partner.SyncJob;

/**
 * A paged source (HTTP or SQL): returns the records after {@code from} in (cursor, id) order, at most a page of them.
 * {@code from} is {@link Checkpoint#START} on the first run, and has a null id when a run starts a lookback behind
 * its checkpoint. A failure is thrown, never returned as records: the run stops and the checkpoint stays.
 */
public interface PageSource {

    /** True for the job sources this implementation reads. */
    boolean reads(SyncJob.Source source);

    Page fetch(Partner partner, SyncJob job, Checkpoint from) throws Exception;
}
