package dev.junction.reliability;

import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.junction.support.HubClient;
import dev.junction.support.LoadLedger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * End-to-end latency of one partner's messages: from the moment the client sends the POST to the moment the target
 * logs the delivery. Measured from the send, not from the 202, because the fast path may deliver before the client has
 * read its 202. Messages go out at a fixed rate from a scheduler that hands each send to a worker, so a slow answer
 * does not hold back the next send (no coordinated omission).
 */
final class LatencyProbe {

    private final HubClient hub;
    private final WireMockServer target;
    private final String partner;
    private final String event;
    private final String apiKey;
    private final String targetPath;

    LatencyProbe(HubClient hub, WireMockServer target, String partner, String event, String apiKey, String targetPath) {
        this.hub = hub;
        this.target = target;
        this.partner = partner;
        this.event = event;
        this.apiKey = apiKey;
        this.targetPath = targetPath;
    }

    /** Sorted latencies in milliseconds of {@code samples} messages sent every {@code pace}, once all have arrived. */
    Latencies measure(String label, int samples, Duration pace) {
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        List<Long> intake = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
        ExecutorService senders = Executors.newFixedThreadPool(8);
        try {
            clock.scheduleAtFixedRate(() -> {
                int n = sent.incrementAndGet();
                if (n > samples) {
                    return;
                }
                senders.execute(() -> {
                    long t0 = System.currentTimeMillis();
                    String key = label + "-" + n + "-" + t0;
                    HubClient.Res res = hub.postJson("/webhooks/" + partner + "/" + event, LoadLedger.payload(key),
                            "X-API-Key", apiKey, "Idempotency-Key", key);
                    if (res.status() == 202) {
                        sentAt.put(res.json().path("receiptId").asText(), t0);
                        intake.add(System.currentTimeMillis() - t0);
                    }
                    answered.incrementAndGet();
                });
            }, 0, pace.toNanos(), TimeUnit.NANOSECONDS);
            await().atMost(Duration.ofSeconds(120)).until(() -> answered.get() >= samples);
        } finally {
            clock.shutdownNow();
            senders.shutdownNow();
        }
        Map<String, Long> arrivedAt = new HashMap<>();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
            arrivedAt.clear();
            for (ServeEvent e : target.getAllServeEvents()) {
                String receipt = e.getRequest().getHeader("Idempotency-Key");
                if (e.getRequest().getUrl().equals(targetPath) && sentAt.containsKey(receipt)) {
                    arrivedAt.merge(receipt, e.getRequest().getLoggedDate().getTime(), Math::min);
                }
            }
            return arrivedAt.size() == sentAt.size();
        });
        List<Long> latencies = new ArrayList<>();
        sentAt.forEach((receipt, t0) -> latencies.add(arrivedAt.get(receipt) - t0));
        Collections.sort(latencies);
        Collections.sort(intake);
        Latencies result = new Latencies(label, samples - sentAt.size(), latencies, List.copyOf(intake));
        System.out.println("latency " + result);
        return result;
    }

    /** End-to-end latencies (send to target), and for diagnosis the intake part alone (send to 202), both sorted. */
    record Latencies(String label, int refused, List<Long> sortedMillis, List<Long> sortedIntakeMillis) {

        /** Nearest-rank percentile of the end-to-end latencies. */
        long percentile(double p) {
            return percentile(sortedMillis, p);
        }

        static long percentile(List<Long> sorted, double p) {
            int rank = (int) Math.ceil(p / 100 * sorted.size());
            return sorted.get(Math.max(0, rank - 1));
        }

        @Override
        public String toString() {
            return label + ": n=" + sortedMillis.size() + " refused=" + refused + " p50=" + percentile(50) + "ms p90=" + percentile(90)
                    + "ms p99=" + percentile(99) + "ms max=" + sortedMillis.get(sortedMillis.size() - 1) + "ms (intake alone: p50="
                    + percentile(sortedIntakeMillis, 50) + "ms p99=" + percentile(sortedIntakeMillis, 99) + "ms)";
        }
    }
}
