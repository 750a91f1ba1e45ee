package dev.junction.delivery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.junction.JunctionApplication;
import dev.junction.support.HubClient;
import dev.junction.support.Keys;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Intake faster than a partner's lane: messages the lane cannot take are journaled unleased, so the database never
 * holds more messages leased to this instance than its lanes hold (and a claim never scans past a leased backlog);
 * the poller claims the rest as the lane drains, and every message is delivered exactly once.
 */
class LaneOverflowTest {

    static final int MESSAGES = 600;
    /** The fast partner's lane: 8 slots, 16 queued per slot, 4 running or awaiting their outcome's commit per slot. */
    static final int LANE_HOLDS = 8 * 16 + 8 * PartnerLanes.UNRECORDED_PER_SLOT;

    private final WireMockServer target = new WireMockServer(options().dynamicPort().containerThreads(32));

    @TempDir
    Path data;

    @AfterEach
    void stop() {
        target.stop();
    }

    @Test
    void messagesBeyondTheLaneAreJournaledUnleasedAndAllAreDeliveredOnce() throws Exception {
        target.start();
        // 8 slots at 50 ms deliver ~160/s, while the senders below accept several hundred per second.
        target.stubFor(post(urlPathEqualTo("/fast")).willReturn(aResponse().withStatus(200).withFixedDelay(50)));
        try (ConfigurableApplicationContext hub = new SpringApplicationBuilder(JunctionApplication.class).run(
                "--server.port=0",
                "--junction.data-dir=" + data,
                "--junction.connectors-dir=src/test/resources/delivery/connectors",
                "--junction.routes-dir=src/test/resources/delivery/routes",
                "--SHOP_ERP_URL=" + target.baseUrl(),
                "--SHOP_ERP_TOKEN=t")) {
            JdbcTemplate jdbc = hub.getBean(JdbcTemplate.class);
            HubClient client = new HubClient(Integer.parseInt(hub.getEnvironment().getProperty("local.server.port")));
            AtomicLong mostLeased = new AtomicLong();
            AtomicLong mostUnleased = new AtomicLong();
            AtomicBoolean sending = new AtomicBoolean(true);
            Thread sampler = new Thread(() -> {
                while (sending.get()) {
                    mostLeased.accumulateAndGet(count(jdbc, "lease_owner IS NOT NULL"), Math::max);
                    mostUnleased.accumulateAndGet(count(jdbc, "lease_owner IS NULL"), Math::max);
                    LockSupport.parkNanos(2_000_000); // a sample every few ms, leaving the CPU to the hub
                }
            });
            sampler.start();
            Set<String> receipts = ConcurrentHashMap.newKeySet();
            ExecutorService senders = Executors.newFixedThreadPool(16);
            for (int i = 0; i < MESSAGES; i++) {
                int n = i;
                senders.submit(() -> {
                    HubClient.Res res = client.postJson("/webhooks/fast/order-created", "{\"n\":" + n + "}", "X-API-Key", Keys.FAST);
                    assertThat(res.status()).as(res.toString()).isEqualTo(202);
                    receipts.add(res.json().path("receiptId").asText());
                });
            }
            senders.shutdown();
            assertThat(senders.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
            sending.set(false);
            sampler.join();

            assertThat(receipts).hasSize(MESSAGES);
            assertThat(mostUnleased.get()).as("pending messages journaled without a lease at some point").isPositive();
            assertThat(mostLeased.get()).as("pending messages leased to this instance, at most").isLessThanOrEqualTo(LANE_HOLDS);

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                    jdbc.queryForObject("SELECT COUNT(*) FROM message WHERE status = 'delivered'", Long.class) == MESSAGES);
            var calls = target.getAllServeEvents().stream()
                    .collect(Collectors.groupingBy(e -> e.getRequest().getHeader("Idempotency-Key"), Collectors.counting()));
            assertThat(calls.keySet()).isEqualTo(receipts);
            assertThat(calls.values()).as("calls per receipt").allMatch(c -> c == 1);
        }
    }

    private static long count(JdbcTemplate jdbc, String lease) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM message WHERE status IN ('accepted', 'retrying') AND " + lease, Long.class);
    }
}
