package dev.junction;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.function.ToLongFunction;

/**
 * Takes waiting items into a commit's batch, bounded by count and by bytes. A count alone is not a bound: 512 bodies
 * of 64 KiB made one H2 commit ask for an 80 MB write buffer, and H2 closes the whole database on OutOfMemoryError.
 */
public final class Batches {

    private Batches() {}

    /** Adds queued items while the batch has fewer than {@code maxItems} and under {@code maxBytes} (it may pass it by one item). */
    public static <T> void fill(BlockingQueue<T> queue, List<T> batch, int maxItems, long maxBytes, ToLongFunction<T> size) {
        long bytes = 0;
        for (T t : batch) {
            bytes += size.applyAsLong(t);
        }
        while (batch.size() < maxItems && bytes < maxBytes) {
            // poll, never peek-then-poll: an append that times out removes itself from the queue meanwhile.
            T next = queue.poll();
            if (next == null) {
                return;
            }
            batch.add(next);
            bytes += size.applyAsLong(next);
        }
    }
}
