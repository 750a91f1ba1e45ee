package dev.junction.sync;

import java.time.Clock;
import org.springframework.stereotype.Component;

/**
 * What holds a job that consumes continuously (Kafka) between polls, from the same rows as the paged jobs: the ops
 * pause switch (shared by every instance, kept across restarts) and the partner's backlog over {@code maxBacklog}.
 */
@Component
public class SyncGate {

    private final SyncStore store;
    private final Clock clock;

    SyncGate(SyncStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public boolean paused(String partner, String job) {
        return store.paused(partner, job);
    }

    public void setPaused(String partner, String job, boolean paused) {
        store.ensure(partner, job, clock.instant());
        store.setPaused(partner, job, paused);
    }

    /** True while the partner has more undelivered messages than {@code maxBacklog}. */
    public boolean overBacklog(String partner, int maxBacklog) {
        return store.backlog(partner, maxBacklog) > maxBacklog;
    }
}
