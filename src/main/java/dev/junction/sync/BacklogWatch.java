package dev.junction.sync;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * A run's view of its partner's backlog (undelivered messages), for backpressure. Counting it before every page cost a
 * PostgreSQL pull as much as its inserts when delivery lagged (bench/ANALYSIS-sync-pull.md, section 2), so it is counted
 * at most once a second, and at once whenever the run's own pages since the last count could have taken it over the
 * limit. What other writers (webhooks, other jobs) add in between is seen within the second.
 */
final class BacklogWatch {

    static final Duration EVERY = Duration.ofSeconds(1);

    private final SyncStore store;
    private final String partner;
    private final int max;
    private final Clock clock;
    private long counted = -1;
    private long journaledSince;
    private Instant countedAt;

    BacklogWatch(SyncStore store, String partner, int max, Clock clock) {
        this.store = store;
        this.partner = partner;
        this.max = max;
        this.clock = clock;
    }

    boolean over() {
        Instant now = clock.instant();
        if (counted < 0 || counted + journaledSince > max || !now.isBefore(countedAt.plus(EVERY))) {
            counted = store.backlog(partner, max);
            countedAt = now;
            journaledSince = 0;
        }
        return counted > max;
    }

    void journaled(int messages) {
        journaledSince += messages;
    }
}
