package dev.junction.delivery;

import dev.junction.JunctionProperties;
import dev.junction.partner.Partner;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One bulkhead per partner: at most {@code delivery.maxConcurrent} deliveries at once and a bounded queue, so a slow
 * or hanging partner target occupies only its own share and never delays another partner's messages.
 *
 * <p>The lanes share one pool of threads that grows only with the deliveries actually running at once: a thread
 * per partner and slot would be thousands of mostly idle threads (and their stacks) with a thousand partners. A lane
 * is a queue plus a count of its running drainers; a drainer takes the lane's messages one after another until the
 * queue is empty, so a partner never runs more than its own {@code maxConcurrent} deliveries, whatever the others do.
 */
class PartnerLanes {

    /**
     * How many deliveries per slot the poller queues ahead: enough to keep slots busy between two quick polls of a
     * draining backlog (a job that waited long renews its lease before it runs).
     */
    private static final int AHEAD_PER_SLOT = 16;
    /**
     * How many of a partner's deliveries per slot may be done but not yet recorded. Delivery threads do not wait for
     * their outcome's commit (a commit takes milliseconds on a loaded machine, and waiting made a partner's throughput
     * slots / commit time); this bounds what a crash repeats: at most slots * this per partner.
     */
    static final int UNRECORDED_PER_SLOT = 4;
    private static final long IDLE_THREAD_SECONDS = 60;

    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    private final int queueCapacity;
    private final ThreadPoolExecutor threads;
    /**
     * Payload bytes held by all lanes together. Each lane is bounded by count, but a thousand partners with slow
     * targets and large bodies would still add up to more than the heap; past the budget, messages stay in the database.
     */
    private final AtomicLong heldBytes = new AtomicLong();
    private final long maxHeldBytes;
    private volatile boolean closed;

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
        // Never more than an eighth of the heap, whatever is configured: the payloads are not all the heap holds.
        this.queueCapacity = settings.queueCapacity();
        this.maxHeldBytes = Math.min(settings.maxQueuedPayload().toBytes(), Runtime.getRuntime().maxMemory() / 8);
        AtomicInteger n = new AtomicInteger();
        // No queue of its own: a drainer starts on an idle thread or a new one; lanes bound how many run at once.
        this.threads = new ThreadPoolExecutor(0, Integer.MAX_VALUE, IDLE_THREAD_SECONDS, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "deliver-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        update(partners);
    }

    /**
     * After a reload: a new partner gets a lane; a partner whose {@code maxConcurrent} changed gets a new lane, while the
     * old one's drainers finish what it already queued (for a moment both lanes' slots may run, never lost work). A
     * removed partner keeps its lane: what it was acknowledged is still delivered (or dead-lettered) like any message.
     */
    void update(Collection<Partner> partners) {
        for (Partner p : partners) {
            lanes.compute(p.id(), (id, lane) -> lane != null && lane.slots == p.delivery().maxConcurrent() ? lane
                    : new Lane(id, p.delivery().maxConcurrent(), queueCapacity));
        }
    }

    /** False when the partner's lane is full or the payload budget is spent (the caller gives the message back). */
    boolean submit(Job job, Consumer<Job> work) {
        Lane lane = lanes.get(job.message().partner());
        if (lane == null || closed) {
            return false;
        }
        long size = job.message().payload().length;
        if (heldBytes.addAndGet(size) > maxHeldBytes && heldBytes.get() > size) {
            // Over budget (a single message larger than the budget is still taken when nothing else is held).
            heldBytes.addAndGet(-size);
            return false;
        }
        if (!lane.submit(new Task(job, work, heldBytes))) {
            heldBytes.addAndGet(-size);
            return false;
        }
        return true;
    }

    /** How many more messages the poller should claim for a partner now. */
    int free(String partner) {
        Lane lane = lanes.get(partner);
        if (lane == null || closed || heldBytes.get() >= maxHeldBytes) {
            return 0;
        }
        int ahead = lane.slots * AHEAD_PER_SLOT - lane.queue.size();
        return Math.max(0, Math.min(ahead, lane.queue.remainingCapacity()));
    }

    /**
     * The partner's permits for deliveries that are running or whose outcome awaits its commit: taken before the
     * route runs, given back once the outcome is committed (or could not be).
     */
    Semaphore unrecorded(String partner) {
        return lanes.get(partner).unrecorded;
    }

    /** The partners that have a lane. */
    Collection<String> partners() {
        return lanes.keySet();
    }

    /** Threads the lanes' pool holds now, busy or idle. */
    int threads() {
        return threads.getPoolSize();
    }

    /** Stops taking work, lets running deliveries finish for a while, and returns the jobs that never started. */
    List<Job> shutdown(long waitMillis) {
        closed = true;
        List<Job> unstarted = new ArrayList<>();
        for (Lane lane : lanes.values()) {
            for (Task t; (t = lane.queue.poll()) != null; ) {
                unstarted.add(t.job());
            }
        }
        threads.shutdown();
        try {
            threads.awaitTermination(waitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        threads.shutdownNow();
        return unstarted;
    }

    /** One partner's queue and how many of its drainers run. */
    private final class Lane {

        private final String partner;
        private final int slots;
        private final BlockingQueue<Task> queue;
        private final AtomicInteger running = new AtomicInteger();
        private final Semaphore unrecorded;

        Lane(String partner, int slots, int queueCapacity) {
            this.partner = partner;
            this.slots = slots;
            this.unrecorded = new Semaphore(slots * UNRECORDED_PER_SLOT);
            this.queue = new LinkedBlockingQueue<>(queueCapacity);
        }

        boolean submit(Task task) {
            if (acquireSlot()) {
                return start(task);
            }
            if (!queue.offer(task)) {
                return false;
            }
            // The last drainer may have found the queue empty and left just before the offer: someone must take it.
            if (acquireSlot()) {
                start(null);
            }
            return true;
        }

        private boolean acquireSlot() {
            for (int n = running.get(); n < slots; n = running.get()) {
                if (running.compareAndSet(n, n + 1)) {
                    return true;
                }
            }
            return false;
        }

        /** Runs a drainer on a pool thread; false (slot given back) if the pool is shutting down. */
        private boolean start(Task first) {
            try {
                threads.execute(() -> drain(first));
                return true;
            } catch (RejectedExecutionException shuttingDown) {
                running.decrementAndGet();
                return false;
            }
        }

        private void drain(Task first) {
            Thread thread = Thread.currentThread();
            String name = thread.getName();
            thread.setName(name + "-" + partner); // thread dumps say whose delivery a thread is on
            try {
                for (Task t = first != null ? first : next(); t != null; t = next()) {
                    t.run();
                }
            } finally {
                thread.setName(name);
                running.decrementAndGet();
                if (!closed && !queue.isEmpty() && acquireSlot()) {
                    start(null);
                }
            }
        }

        private Task next() {
            return closed ? null : queue.poll();
        }
    }
}
