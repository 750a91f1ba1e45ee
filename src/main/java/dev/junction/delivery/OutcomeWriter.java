package dev.junction.delivery;

import dev.junction.InstanceId;
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
class OutcomeWriter implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OutcomeWriter.class);
    private static final int MAX_BATCH = 512;
    /**
     * A commit's cost is mostly fixed (H2 serializes every page the transaction touched, B-tree roots included;
     * PostgreSQL flushes its WAL), and nobody waits on an outcome's commit the way a partner waits on an append's.
     * So a small batch waits up to {@code LINGER} for more, until it has {@code LINGER_BATCH}. A lane stops at its
     * unrecorded budget ({@link PartnerLanes#UNRECORDED_PER_SLOT} per slot), so one with fewer than 4 slots may wait
     * out a linger now and then: 2 ms per budget's worth of deliveries, which delivery time dwarfs anyway.
     */
    static final Duration LINGER = Duration.ofMillis(2);
    static final int LINGER_BATCH = 16;

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
                batch.add(first);
                gather(batch);
                boolean[] won = store.settle(batch.stream().map(Pending::settlement).toList(), owner);
                batchSize.record(batch.size());
                for (int i = 0; i < won.length; i++) {
                    batch.get(i).won.complete(won[i]);
                }
            } catch (InterruptedException e) {
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

    /** Takes what is queued; a small batch lingers for more (see {@link #LINGER}). */
    private void gather(List<Pending> batch) throws InterruptedException {
        queue.drainTo(batch, MAX_BATCH - batch.size());
        long deadline = System.nanoTime() + LINGER.toNanos();
        while (batch.size() < LINGER_BATCH) {
            long left = deadline - System.nanoTime();
            Pending next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
            if (next == null) {
                return;
            }
            batch.add(next);
            queue.drainTo(batch, MAX_BATCH - batch.size());
        }
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
