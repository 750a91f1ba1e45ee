package dev.junction.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.support.HubClient;
import dev.junction.support.HubTest;
import dev.junction.support.Keys;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Partner "tight" (capacity 20, refill 10/s) is flooded by 32 clients while partner "calm" sends at most 20/s,
 * well inside its own limit (capacity 50, refill 50/s).
 */
class RateLimitTest extends HubTest {

    @DynamicPropertySource
    static void h2(DynamicPropertyRegistry registry) throws Exception {
        var dir = Files.createTempDirectory("junction-ratelimit");
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + dir.resolve("junction") + ";WRITE_DELAY=0");
    }

    @Test
    void floodedPartnerGetsAtMostItsBucketAndTheOtherPartnerIsUnaffected() throws Exception {
        HubClient hub = hub();
        AtomicInteger accepted = new AtomicInteger();
        ConcurrentLinkedQueue<HubClient.Res> refused = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Integer> calmStatuses = new ConcurrentLinkedQueue<>();
        ScheduledExecutorService calm = Executors.newSingleThreadScheduledExecutor();
        calm.scheduleWithFixedDelay(() -> calmStatuses.add(
                hub.postJson("/webhooks/calm/ping", "{}", "X-API-Key", Keys.CALM).status()), 0, 50, TimeUnit.MILLISECONDS);

        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(3);
        List<Thread> flood = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            Thread t = new Thread(() -> {
                while (System.nanoTime() < deadline) {
                    HubClient.Res res = hub.postJson("/webhooks/tight/ping", "{}", "X-API-Key", Keys.TIGHT);
                    if (res.status() == 202) {
                        accepted.incrementAndGet();
                    } else {
                        refused.add(res);
                    }
                }
            });
            t.start();
            flood.add(t);
        }
        for (Thread t : flood) {
            t.join(TimeUnit.SECONDS.toMillis(60));
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        calm.shutdown();
        assertThat(calm.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

        double bound = 20 + 10 * elapsed;
        assertThat(accepted.get()).as("accepted in %.2f s", elapsed).isLessThanOrEqualTo((int) Math.floor(bound));
        // The full burst is always admitted; how much of the refill a loaded 2-core machine lets the clients use varies.
        assertThat(accepted.get()).as("the bucket admits at least its burst").isGreaterThanOrEqualTo(20);
        assertThat(refused).isNotEmpty().allSatisfy(r -> {
            assertThat(r.status()).isEqualTo(429);
            assertThat(r.header("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
            assertThat(Long.parseLong(r.header("Retry-After").orElseThrow())).isBetween(1L, 2L);
            assertThat(r.header("RateLimit")).hasValueSatisfying(v -> assertThat(v).startsWith("\"default\";r=0;"));
            assertThat(r.header("RateLimit-Policy")).hasValue("\"default\";q=20;w=2");
        });
        // At most 20 requests a second (one every 50 ms or slower on a loaded machine): always inside calm's own limit.
        assertThat(calmStatuses).hasSizeGreaterThanOrEqualTo(5).containsOnly(202);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM message WHERE partner = 'tight'", Long.class)).isEqualTo(accepted.get());
    }
}
