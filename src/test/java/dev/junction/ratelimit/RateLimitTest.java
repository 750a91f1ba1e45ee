package dev.junction.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.support.HubClient;
import dev.junction.support.HubTest;
import dev.junction.support.Keys;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Partner "flood" (capacity 50, refill 20/s) is flooded by 64 clients for 4 s while partner "calm" (capacity 50,
 * refill 50/s) sends at most 20 requests a second.
 *
 * <p>The flood admits exactly what the token bucket allows. Upper bound: the bucket holds at most its capacity when
 * the first request leaves, and refills for no longer than until the last response arrives. Lower bound: the burst,
 * plus every token refilled between the first 429 (the bucket was empty when the hub decided it) and the last send
 * (the hub had not yet decided that request), because 64 clients keep the bucket drained. Measuring from the first
 * 429 rather than from the start keeps a cold or CPU-starved hub, which may take a second or more to answer the first
 * requests while its full bucket overflows, from failing the test. After that, a token is only lost if the bucket
 * overflows, which takes 2.5 s (capacity / refill) without a single request reaching the hub; shorter stalls delay
 * tokens but do not lose them. The refill is low (20/s) so that slowed-down clients still outrun it: at load 24 on
 * two cores the hub still answered about 50 requests a second.
 */
class RateLimitTest extends HubTest {

    private static final Logger log = LoggerFactory.getLogger(RateLimitTest.class);

    static final int CLIENTS = 64;
    static final long CAPACITY = 50;
    static final double REFILL_PER_SECOND = 20;
    static final long FLOOD_NANOS = TimeUnit.SECONDS.toNanos(4);
    /**
     * Bucket4j measures time in whole milliseconds (System.currentTimeMillis), so its view of the window may be up to
     * 1 ms longer at each end than ours: 0.04 tokens at 20/s, rounded up to one.
     */
    static final int CLOCK_GRANULARITY_TOKENS = 1;

    @DynamicPropertySource
    static void h2(DynamicPropertyRegistry registry) throws Exception {
        var dir = Files.createTempDirectory("junction-ratelimit");
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + dir.resolve("junction") + ";WRITE_DELAY=0");
    }

    /** What one flood saw: its counts, and (System.nanoTime) its start, first 429 received, last send and last response. */
    record Flood(int accepted, List<HubClient.Res> refused, long start, long firstRefusal, long lastSend, long end) {}

    @Test
    void floodedPartnerGetsExactlyItsBucketAndAnotherPartnerIsUnaffected() throws Exception {
        HubClient hub = hub();
        ConcurrentLinkedQueue<Integer> calmStatuses = new ConcurrentLinkedQueue<>();
        ScheduledExecutorService calm = Executors.newSingleThreadScheduledExecutor();
        calm.scheduleWithFixedDelay(() -> calmStatuses.add(
                hub.postJson("/webhooks/calm/ping", "{}", "X-API-Key", Keys.CALM).status()), 0, 50, TimeUnit.MILLISECONDS);
        Flood f = flood(hub, FLOOD_NANOS);
        calm.shutdown();
        assertThat(calm.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

        double elapsed = (f.end() - f.start()) / 1e9;
        double drained = (f.lastSend() - f.firstRefusal()) / 1e9;
        double most = CAPACITY + REFILL_PER_SECOND * elapsed + CLOCK_GRANULARITY_TOKENS;
        double least = 0.95 * (CAPACITY + REFILL_PER_SECOND * drained);
        log.info("flood: {} accepted, {} refused in {} s; bounds [{}, {}]", f.accepted(), f.refused().size(), elapsed, least, most);
        assertThat((double) f.accepted()).as("accepted in %.3f s, drained from %.3f s to the last send at %.3f s, %d refused",
                        elapsed, (f.firstRefusal() - f.start()) / 1e9, (f.lastSend() - f.start()) / 1e9, f.refused().size())
                .isLessThanOrEqualTo(most)
                .isGreaterThanOrEqualTo(least);
        assertThat(f.refused()).isNotEmpty().allSatisfy(r -> {
            assertThat(r.status()).isEqualTo(429);
            assertThat(r.header("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
            assertThat(r.json().path("status").asInt()).isEqualTo(429);
            assertThat(Long.parseLong(r.header("Retry-After").orElseThrow())).isBetween(1L, 2L);
            assertThat(r.header("RateLimit")).hasValueSatisfying(v -> assertThat(v).startsWith("\"default\";r=0;"));
            assertThat(r.header("RateLimit-Policy")).hasValue("\"default\";q=50;w=3");
        });
        // One request at a time, at most 20 a second: always inside calm's own limit. On a saturated machine each may
        // take a second to answer (the flood and calm share the CPU), so only a few are certain to have been sent.
        assertThat(calmStatuses).hasSizeGreaterThanOrEqualTo(3).containsOnly(202);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM message WHERE partner = 'flood'", Long.class))
                .isEqualTo(f.accepted());
    }

    /** {@link #CLIENTS} clients post to partner flood, back to back, for {@code nanos}. */
    private static Flood flood(HubClient hub, long nanos) throws InterruptedException {
        AtomicInteger accepted = new AtomicInteger();
        ConcurrentLinkedQueue<HubClient.Res> refused = new ConcurrentLinkedQueue<>();
        AtomicLong deadline = new AtomicLong();
        AtomicLong lastSend = new AtomicLong(Long.MIN_VALUE);
        AtomicLong firstRefusal = new AtomicLong(Long.MAX_VALUE);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            Thread t = new Thread(() -> {
                awaitUninterruptibly(go);
                for (long sent = System.nanoTime(); sent < deadline.get(); sent = System.nanoTime()) {
                    lastSend.accumulateAndGet(sent, Math::max);
                    HubClient.Res res = hub.postJson("/webhooks/flood/ping", "{}", "X-API-Key", Keys.FLOOD);
                    if (res.status() == 202) {
                        accepted.incrementAndGet();
                    } else {
                        firstRefusal.accumulateAndGet(System.nanoTime(), Math::min);
                        refused.add(res);
                    }
                }
            });
            t.start();
            clients.add(t);
        }
        long start = System.nanoTime();
        deadline.set(start + nanos);
        go.countDown();
        for (Thread t : clients) {
            t.join(TimeUnit.SECONDS.toMillis(60));
        }
        return new Flood(accepted.get(), List.copyOf(refused), start, firstRefusal.get(), lastSend.get(), System.nanoTime());
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
