package dev.junction.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.JunctionProperties;
import dev.junction.intake.AcceptedMessage;
import dev.junction.partner.Partner;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/** Lanes bound what they hold in memory: per partner by count, and across all partners by payload bytes. */
class PartnerLanesTest {

    static final int KIB = 1024;

    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger ran = new AtomicInteger();
    PartnerLanes lanes;

    @AfterEach
    void stop() {
        release.countDown();
        if (lanes != null) {
            lanes.shutdown(1000);
        }
    }

    @Test
    void payloadsBeyondTheSharedBudgetStayInTheDatabase() {
        lanes = new PartnerLanes(List.of(partner("a"), partner("b")), settings(100, DataSize.ofKilobytes(10)));

        assertThat(lanes.submit(job("a", 4 * KIB), this::blockUntilReleased)).isTrue();  // running in a's lane
        assertThat(lanes.submit(job("b", 4 * KIB), this::blockUntilReleased)).isTrue();  // running in b's lane
        assertThat(lanes.submit(job("a", 4 * KIB), this::blockUntilReleased)).as("12 KiB > 10 KiB").isFalse();
        assertThat(lanes.free("a")).as("8 KiB held: the poller may still claim").isPositive();
        assertThat(lanes.submit(job("b", 1 * KIB), this::blockUntilReleased)).as("9 KiB fits").isTrue();
        assertThat(lanes.free("b")).isPositive();
        assertThat(lanes.submit(job("b", 1 * KIB), this::blockUntilReleased)).as("exactly 10 KiB fits").isTrue();
        assertThat(lanes.free("a")).isZero();

        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> ran.get() == 4);
        await().atMost(Duration.ofSeconds(10)).until(() -> lanes.submit(job("a", 8 * KIB), j -> ran.incrementAndGet()));
    }

    @Test
    void aMessageLargerThanTheWholeBudgetIsTakenWhenNothingElseIsHeld() {
        lanes = new PartnerLanes(List.of(partner("a")), settings(100, DataSize.ofKilobytes(10)));
        assertThat(lanes.submit(job("a", 50 * KIB), this::blockUntilReleased)).isTrue();
        assertThat(lanes.submit(job("a", 1 * KIB), this::blockUntilReleased)).isFalse();
    }

    @Test
    void aFullLaneRefusesWithoutHoldingItsBytes() {
        lanes = new PartnerLanes(List.of(partner("a"), partner("b")), settings(1, DataSize.ofMegabytes(1)));
        assertThat(lanes.submit(job("a", KIB), this::blockUntilReleased)).isTrue();  // running
        assertThat(lanes.submit(job("a", KIB), this::blockUntilReleased)).isTrue();  // queued (capacity 1)
        for (int i = 0; i < 2000; i++) {
            assertThat(lanes.submit(job("a", KIB), this::blockUntilReleased)).isFalse();
        }
        // 2,000 refusals held nothing: another partner's 1000 KiB still fits in the 1 MiB budget beside the 2 KiB.
        assertThat(lanes.submit(job("b", 1000 * KIB), this::blockUntilReleased)).isTrue();
    }

    @Test
    void aPartnerNeverRunsMoreThanItsSlotsAndABlockedPartnerDelaysNoOther() throws Exception {
        lanes = new PartnerLanes(List.of(partner("slow", 3), partner("quick", 3)), settings(1000, DataSize.ofMegabytes(64)));
        AtomicInteger slowRunning = new AtomicInteger();
        AtomicInteger slowPeak = new AtomicInteger();
        for (int i = 0; i < 20; i++) {
            assertThat(lanes.submit(job("slow", 10), j -> {
                slowPeak.accumulateAndGet(slowRunning.incrementAndGet(), Math::max);
                blockUntilReleased(j);
                slowRunning.decrementAndGet();
            })).isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> slowRunning.get() == 3);

        CountDownLatch quickDone = new CountDownLatch(50);
        for (int i = 0; i < 50; i++) {
            assertThat(lanes.submit(job("quick", 10), j -> quickDone.countDown())).isTrue();
        }
        assertThat(quickDone.await(10, TimeUnit.SECONDS)).as("the quick partner's messages ran while the slow one's blocked").isTrue();
        assertThat(ran.get()).as("the slow partner's messages are still waiting").isZero();

        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> ran.get() == 20);
        assertThat(slowPeak.get()).as("at most its 3 slots at once").isEqualTo(3);
    }

    @Test
    void threadsGrowWithConcurrentDeliveriesNotWithPartners() throws Exception {
        List<Partner> many = IntStream.range(0, 200).mapToObj(i -> partner("p" + i, 8)).toList();
        lanes = new PartnerLanes(many, settings(1000, DataSize.ofMegabytes(64)));
        for (Partner p : many) {
            CountDownLatch done = new CountDownLatch(1);
            assertThat(lanes.submit(job(p.id(), 10), j -> done.countDown())).isTrue();
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        }
        // One delivery at a time, for 200 partners of 8 slots each: a thread per partner would be 200, per slot 1,600.
        // A few more than one: a thread that just finished may not be back in the pool when the next job arrives.
        assertThat(lanes.threads()).isLessThanOrEqualTo(16);
    }

    private void blockUntilReleased(Job job) {
        try {
            release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ran.incrementAndGet();
    }

    static JunctionProperties.Delivery settings(int queueCapacity, DataSize budget) {
        return new JunctionProperties.Delivery(true, Duration.ofMinutes(2), Duration.ofSeconds(1), 200, queueCapacity, budget);
    }

    static Partner partner(String id) {
        return partner(id, 1);
    }

    static Partner partner(String id, int slots) {
        return new Partner(id, id, List.of(), Partner.RateLimit.DEFAULT, Partner.DEFAULT_MAX_BODY_BYTES, Partner.RetryPolicy.DEFAULT,
                new Partner.DeliveryPolicy(slots), Map.of(), Map.of(), null, Map.of());
    }

    static Job job(String partner, int bytes) {
        AcceptedMessage m = new AcceptedMessage("r-" + System.nanoTime(), partner, "e", "route", "c", "application/json",
                new byte[bytes], Instant.now());
        return new Job(m, 0, 0, Instant.now().plusSeconds(60));
    }
}
