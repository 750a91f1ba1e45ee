package dev.junction.sync;

import java.time.Instant;
import java.util.Optional;

/**
 * Sources that consume continuously (Kafka) rather than by scheduled runs: what the ops API shows of their jobs.
 * Implemented where the consumers live, so that this module does not depend on them.
 */
public interface ContinuousSources {

    Optional<Status> continuousStatus(String partner, String job);

    /**
     * @param state running, pausing, paused, failing (the last poll failed and is retried) or stopped (the consumer died)
     * @param since when this instance's consumer started
     */
    record Status(String state, Instant since, long records, long journaled, long duplicates, long deadLettered, String lastError,
                  Instant lastRecordAt, boolean backpressure) {}
}
