package dev.junction.delivery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.junction.support.HubClient;
import dev.junction.support.HubProcess;
import dev.junction.support.Keys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * At-least-once across a crash: the packaged hub is killed with -9 while deliveries are in flight; started again on
 * the same data dir, it delivers every acknowledged message, and any duplicate carries the same Idempotency-Key.
 */
class DeliveryCrashIT {

    private final WireMockServer target = new WireMockServer(options().dynamicPort().containerThreads(64));

    @AfterEach
    void stop() {
        target.stop();
    }

    @Test
    void everyAcknowledgedMessageReachesTheTargetAfterAKillNine() throws Exception {
        target.start();
        target.stubFor(post(urlPathEqualTo("/fast")).willReturn(aResponse().withStatus(200).withFixedDelay(200)));
        Path data = Files.createTempDirectory("junction-delivery-crash");
        Map<String, String> env = Map.of(
                "JUNCTION_CONNECTORS_DIR", "src/test/resources/delivery/connectors",
                "JUNCTION_ROUTES_DIR", "src/test/resources/delivery/routes",
                "SHOP_ERP_URL", target.baseUrl(),
                "SHOP_ERP_TOKEN", "t",
                "JUNCTION_DELIVERY_LEASE", "5s",
                "JUNCTION_DELIVERY_POLL_INTERVAL", "200ms");

        ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
        long retries = 0;
        AtomicBoolean stop = new AtomicBoolean();
        HubProcess hub = HubProcess.start(data, env);
        HubClient client = hub.client();
        List<Thread> load = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        HubClient.Res res = client.postJson("/webhooks/fast/order-created", "{}", "X-API-Key", Keys.FAST);
                        if (res.status() == 202) {
                            acknowledged.add(res.json().path("receiptId").asText());
                        }
                    } catch (RuntimeException connectionGone) {
                        // unanswered: not acknowledged, so not owed
                    }
                }
            });
            thread.start();
            load.add(thread);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= 300 && target.getAllServeEvents().size() >= 20);
        hub.kill9();
        stop.set(true);
        for (Thread thread : load) {
            thread.join(30_000);
        }
        int deliveredBeforeCrash = target.getAllServeEvents().size();
        assertThat(deliveredBeforeCrash).as("the kill must interrupt deliveries in flight").isLessThan(acknowledged.size());

        try (HubProcess again = HubProcess.start(data, env)) {
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                    .until(() -> receivedKeys().containsAll(acknowledged));
            HubClient after = again.client();
            for (String receipt : acknowledged) {
                var r = after.get("/webhooks/fast/receipts/" + receipt, "X-API-Key", Keys.FAST).json();
                assertThat(r.path("status").asText()).as(receipt).isEqualTo("delivered");
                retries += r.path("attempts").asInt() - 1;
            }
        }
        List<String> keys = target.getAllServeEvents().stream().map(e -> e.getRequest().getHeader("Idempotency-Key")).toList();
        long duplicates = keys.size() - keys.stream().distinct().count();
        System.out.printf("delivery crash ledger: acknowledged=%d delivered-before-kill=%d target-calls=%d duplicates=%d retried-attempts=%d%n",
                acknowledged.size(), deliveredBeforeCrash, keys.size(), duplicates, retries);
        assertThat(keys).doesNotContainNull();
        // A message reaches the target again only if it was in flight at the kill (at most the bulkhead, maxConcurrent 8)
        // or an attempt failed (e.g. timed out on a loaded machine) and was retried, as at-least-once allows.
        assertThat(duplicates).isLessThanOrEqualTo(8 + retries);
    }

    private Set<String> receivedKeys() {
        return target.getAllServeEvents().stream().map(e -> e.getRequest().getHeader("Idempotency-Key")).collect(Collectors.toSet());
    }
}
