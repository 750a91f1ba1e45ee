package dev.junction;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;

class BatchesTest {

    @Test
    void aBatchStopsAtItsByteBoundPassingItByAtMostOneItem() {
        LinkedBlockingQueue<Integer> queue = new LinkedBlockingQueue<>(List.of(40, 40, 40, 40, 40));
        List<Integer> batch = new ArrayList<>(List.of(queue.poll()));
        Batches.fill(queue, batch, 100, 100, Integer::longValue);
        assertThat(batch).containsExactly(40, 40, 40);  // 80 < 100, so a third; 120 stops it
        assertThat(queue).hasSize(2);
    }

    @Test
    void aBatchStopsAtItsCount() {
        LinkedBlockingQueue<Integer> queue = new LinkedBlockingQueue<>(List.of(1, 1, 1, 1, 1));
        List<Integer> batch = new ArrayList<>();
        Batches.fill(queue, batch, 3, Long.MAX_VALUE, Integer::longValue);
        assertThat(batch).hasSize(3);
        assertThat(queue).hasSize(2);
    }

    @Test
    void aSingleItemLargerThanTheBoundStillGoes() {
        LinkedBlockingQueue<Integer> queue = new LinkedBlockingQueue<>(List.of(500, 1));
        List<Integer> batch = new ArrayList<>();
        Batches.fill(queue, batch, 100, 100, Integer::longValue);
        assertThat(batch).containsExactly(500);
    }
}
