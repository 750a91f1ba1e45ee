package dev.junction.delivery;

import dev.junction.InstanceId;
import dev.junction.ThreadedLifecycle;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Records delivery outcomes with group commit: outcomes that arrive while a commit is in flight share the next
 * transaction, so delivery is not bound to one commit per message. Delivery threads hand an outcome over and go on
 * with their next message; how many of a partner's outcomes may wait for their commit is bounded by its lane
 * ({@link PartnerLanes#unrecorded}), and so is what a crash repeats.
 */
@Component
class OutcomeWriter implements ThreadedLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OutcomeWriter.class);
    private static final int MAX_BATCH = 512;
    /**
     * A commit's cost is mostly fixed (H2 serializes every page the transaction touched, B-tree roots included;
     * PostgreSQL flushes its WAL), and no caller waits on an outcome's commit the way a partner waits on an append's.
     * So a small batch waits up to {@code LINGER} for more, until it has {@code LINGER_BATCH}. A lane stops at its
     * unrecorded budget ({@link PartnerLanes#UNRECORDED_PER_SLOT} per slot, 4 for a lane of one slot): one that runs
     * out asks for a {@link #flush()}, so no lane ever waits on a linger.
     */
    static final Duration LINGER = Duration.ofMillis(2);
    static final int LINGER_BATCH = 16;
    /** A flush request in the queue: compared by identity, never committed. */
    private static final Pending FLUSH = new Pending(null, null);

    private final DeliveryStore store;
    private final String owner;
    /** Unbounded in type, bounded in practice: each lane holds at most its share of unrecorded outcomes. */
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private volatile boolean running;
    private Thread writer;

    private final DistributionSummary batchSize;

    OutcomeWriter(DeliveryStore store, InstanceId instance, MeterRegistry meters) {
        this.store = store;
        this.owner = instance.value();
        this.batchSize = DistributionSummary.builder("junction.delivery.outcome.batch.size")
                .description("Delivery outcomes per commit").register(meters);
    }

    /**
     * Queues an outcome for the next commit. The future completes once it is committed, with false if this instance
     * no longer held the message, or exceptionally if the commit failed (then the lease expires and the message is
     * attempted again).
     */
    CompletableFuture<Boolean> submit(Settlement settlement) {
        if (!running) {
            throw new IllegalStateException("The outcome writer is not running");
        }
        Pending pending = new Pending(settlement, new CompletableFuture<>());
        queue.add(pending);
        return pending.won;
    }

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>();
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                if (first != FLUSH) {
                    batch.add(first);
                }
                gather(batch, first == FLUSH);
                if (batch.isEmpty()) {
                    continue;
                }
                boolean[] won = store.settle(batch.stream().map(Pending::settlement).toList(), owner);
                batchSize.record(batch.size());
                for (int i = 0; i < won.length; i++) {
                    batch.get(i).won.complete(won[i]);
                }
            } catch (InterruptedException e) {
                // Not settled here: JDBC on an interrupted thread can close H2's file channel, and the database with it.
                // Their leases expire and the messages are attempted again.
                batch.forEach(p -> p.won.completeExceptionally(e));
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                // Uncommitted outcomes are not lost work: their leases expire and the messages are attempted again.
                log.warn("Could not record {} delivery outcome(s): {}", batch.size(), e.toString());
                batch.forEach(p -> p.won.completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
    }

    /**
     * Queues a request to commit what is queued now, without lingering: a lane is out of unrecorded permits, so its
     * threads wait for this commit, and more outcomes from it cannot come.
     */
    void flush() {
        queue.add(FLUSH);
    }

    /** Takes what is queued; a small batch lingers for more (see {@link #LINGER}) unless a flush is asked for. */
    private void gather(List<Pending> batch, boolean flush) throws InterruptedException {
        if (drain(batch) || flush) {
            return;
        }
        long deadline = System.nanoTime() + LINGER.toNanos();
        while (batch.size() < LINGER_BATCH) {
            long left = deadline - System.nanoTime();
            Pending next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
            if (next == null || next == FLUSH) {
                return;
            }
            batch.add(next);
            if (drain(batch)) {
                return;
            }
        }
    }

    /** Moves what is queued into the batch; true if that included a flush request. */
    private boolean drain(List<Pending> batch) {
        int before = batch.size();
        queue.drainTo(batch, MAX_BATCH - before);
        return batch.subList(before, batch.size()).removeIf(p -> p == FLUSH);
    }

    @Override
    public void start() {
        running = true;
        writer = new Thread(this::writeLoop, "delivery-outcomes");
        writer.start();
    }

    /** Stops after the dispatcher has wound down (on the close event), committing whatever is still queued. */
    @Override
    public void stop() {
        running = false;
        if (writer != null) {
            try {
                writer.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        // Below the dispatcher's phase: stops after it, and before the datasource goes away.
        return SmartLifecycle.DEFAULT_PHASE - 4000;
    }

    private record Pending(Settlement settlement, CompletableFuture<Boolean> won) {}
}
