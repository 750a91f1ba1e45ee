package dev.junction.delivery;

import dev.junction.JunctionProperties;
import dev.junction.partner.Partner;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One bulkhead per partner: at most {@code delivery.maxConcurrent} deliveries at once and a bounded queue, so a slow
 * or hanging partner target occupies only its own threads and never delays another partner's messages.
 */
class PartnerLanes {

    /**
     * How many deliveries per thread the poller queues ahead: enough to keep threads busy between two quick polls of a
     * draining backlog (a job that waited long renews its lease before it runs).
     */
    private static final int AHEAD_PER_THREAD = 16;

    /**
     * A full lane is routine under load (the message goes back to the database), so rejecting must be cheap: the
     * default policy formats the task, payload included, into its exception message.
     */
    private static final RejectedExecutionException REJECTED = new RejectedExecutionException("lane full");
    private static final RejectedExecutionHandler FULL = (task, lane) -> {
        throw REJECTED;
    };

    private final Map<String, ThreadPoolExecutor> lanes = new HashMap<>();
    private final int queueCapacity;
    /**
     * Payload bytes held by all lanes together. Each lane is bounded by count, but a thousand partners with slow
     * targets and large bodies would still add up to more than the heap; past the budget, messages stay in the database.
     */
    private final AtomicLong heldBytes = new AtomicLong();
    private final long maxHeldBytes;

    /** A job waiting in a lane; kept typed so shutdown can give unstarted jobs back. */
    record Task(Job job, Consumer<Job> work, AtomicLong heldBytes) implements Runnable {
        @Override
        public void run() {
            try {
                work.accept(job);
            } finally {
                heldBytes.addAndGet(-job.message().payload().length);
            }
        }
    }

    PartnerLanes(Collection<Partner> partners, JunctionProperties.Delivery settings) {
        this.queueCapacity = settings.queueCapacity();
        this.maxHeldBytes = settings.maxQueuedPayload().toBytes();
        for (Partner p : partners) {
            int threads = p.delivery().maxConcurrent();
            AtomicInteger n = new AtomicInteger();
            ThreadPoolExecutor lane = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(queueCapacity), r -> {
                        Thread t = new Thread(r, "deliver-" + p.id() + "-" + n.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    }, FULL);
            lane.allowCoreThreadTimeOut(true);
            lanes.put(p.id(), lane);
        }
    }

    /** False when the partner's queue is full (the caller gives the message back to the database). */
    boolean submit(Job job, Consumer<Job> work) {
        ThreadPoolExecutor lane = lanes.get(job.message().partner());
        if (lane == null) {
            return false;
        }
        long size = job.message().payload().length;
        if (heldBytes.addAndGet(size) > maxHeldBytes && heldBytes.get() > size) {
            // Over budget (a single message larger than the budget is still taken when nothing else is held).
            heldBytes.addAndGet(-size);
            return false;
        }
        try {
            lane.execute(new Task(job, work, heldBytes));
            return true;
        } catch (RejectedExecutionException full) {
            heldBytes.addAndGet(-size);
            return false;
        }
    }

    /** How many more messages the poller should claim for a partner now. */
    int free(String partner) {
        ThreadPoolExecutor lane = lanes.get(partner);
        if (lane == null || heldBytes.get() >= maxHeldBytes) {
            return 0;
        }
        int ahead = lane.getMaximumPoolSize() * AHEAD_PER_THREAD - lane.getQueue().size();
        return Math.max(0, Math.min(ahead, lane.getQueue().remainingCapacity()));
    }

    /** Stops taking work, lets running deliveries finish for a while, and returns the jobs that never started. */
    List<Job> shutdown(long waitMillis) {
        List<Job> unstarted = new ArrayList<>();
        lanes.values().forEach(lane -> {
            lane.shutdown();
            lane.getQueue().forEach(r -> unstarted.add(((Task) r).job()));
            lane.getQueue().clear();
        });
        long deadline = System.currentTimeMillis() + waitMillis;
        for (ThreadPoolExecutor lane : lanes.values()) {
            try {
                lane.awaitTermination(Math.max(0, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            lane.shutdownNow();
        }
        return unstarted;
    }
}
