package dev.junction.reload;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.junction.support.HubClient;
import dev.junction.support.Keys;
import dev.junction.support.LoadLedger;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Hot reload on temp copies of a connector and a route file, with the folder watcher on (100 ms): under load, refused,
 * a revoked key, an in-flight delivery, and who may reload. One context for all of it; each test starts from the
 * baseline files, reloaded.
 *
 * <p>Under load, every {@code 202} must end delivered and no attempt may be spent on a route swap (no attempt recorded
 * with Camel's "no consumer" error): a few quick retries absorb a slow target on a busy machine, never a reload. Camel's
 * direct producer is told not to wait for a consumer ({@code camel.component.direct.block=false}), so a swap's gap is
 * met for real rather than waited out.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "junction.ops-api-key=" + Keys.OPS,
        "junction.reload.interval=100ms",
        "junction.delivery.poll-interval=100ms",
        "camel.component.direct.block=false",
})
class HotReloadTest {

    static final String KEY_1 = "hot-key-1";
    static final String KEY_2 = "hot-key-2";
    static final WireMockServer TARGET = new WireMockServer(options().dynamicPort());
    static Path connectors;
    static Path routes;

    static {
        TARGET.start();
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) throws IOException {
        Path dir = Files.createTempDirectory("junction-reload");
        connectors = Files.createDirectories(dir.resolve("connectors"));
        routes = Files.createDirectories(dir.resolve("routes"));
        writeConnector(KEY_1, 100_000);
        writeRoute("/v1/orders");
        registry.add("junction.connectors-dir", connectors::toString);
        registry.add("junction.routes-dir", routes::toString);
        // Derived from junction.routes-dir before dynamic properties exist (JunctionEnvironment): set here too.
        registry.add("camel.main.routes-include-pattern", () -> "file:" + routes + "/*.yaml");
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + dir.resolve("junction") + ";WRITE_DELAY=0");
        registry.add("HOT_ERP_URL", TARGET::baseUrl);
        registry.add("junction.ops-keys[0].id", () -> "reader");
        registry.add("junction.ops-keys[0].sha256", () -> Keys.sha256(Keys.OPS_READ));
        registry.add("junction.ops-keys[0].role", () -> "read");
        registry.add("junction.ops-keys[1].id", () -> "boss");
        registry.add("junction.ops-keys[1].sha256", () -> Keys.sha256(Keys.OPS_ADMIN));
    }

    @AfterAll
    static void stopTarget() {
        TARGET.stop();
    }

    static void writeConnector(String key, int capacity, String... extraEvents) throws IOException {
        writeConnector(key, "{ capacity: %d, refillPerSecond: %d }".formatted(capacity, capacity), extraEvents);
    }

    static void writeConnector(String key, String rateLimit, String... extraEvents) throws IOException {
        StringBuilder events = new StringBuilder("  order-created:\n    route: hot-order-created\n");
        for (String e : extraEvents) {
            events.append(e);
        }
        Files.writeString(connectors.resolve("hot.yaml"), """
                partner: hot
                displayName: Hot reload (test)
                apiKeys:
                  - id: %s
                    sha256: %s
                rateLimit: %s
                retry: { maxAttempts: 5, initialDelay: 200ms, multiplier: 1 }
                delivery: { maxConcurrent: 4 }
                events:
                %s
                targets:
                  erp:
                    url: ${HOT_ERP_URL}
                    timeout: 5s
                """.formatted(key, Keys.sha256(key), rateLimit, events.toString().stripTrailing()));
    }

    static void writeRoute(String path) throws IOException {
        writeRouteFile("hot-order-created.yaml", "hot-order-created", "target:hot/erp?path=" + path);
    }

    static void writeRouteFile(String file, String id, String to) throws IOException {
        Files.writeString(routes.resolve(file), """
                - route:
                    id: %s
                    from:
                      uri: direct:%s
                      steps:
                        - to: "%s"
                """.formatted(id, id, to));
    }

    HubClient hub() {
        return new HubClient(port);
    }

    HubClient.Res reload(String opsKey) {
        return hub().postJson("/ops/reload", "", "X-API-Key", opsKey);
    }

    JsonNode config() {
        return hub().get("/ops/config", "X-API-Key", Keys.OPS_READ).json();
    }

    int send(String key, String idempotencyKey) {
        return hub().postJson("/webhooks/hot/order-created", LoadLedger.payload(idempotencyKey), "X-API-Key", key,
                "Idempotency-Key", idempotencyKey).status();
    }

    String status(String receiptId) {
        return jdbc.queryForObject("SELECT status FROM message WHERE receipt_id = ?", String.class, receiptId);
    }

    @BeforeEach
    void baseline() throws IOException {
        TARGET.resetAll();
        TARGET.stubFor(post(urlPathEqualTo("/v1/orders")).willReturn(aResponse().withStatus(200)));
        TARGET.stubFor(post(urlPathEqualTo("/v2/orders")).willReturn(aResponse().withStatus(200)));
        Files.deleteIfExists(routes.resolve("hot-extra.yaml"));
        writeConnector(KEY_1, 100_000);
        writeRoute("/v1/orders");
        HubClient.Res res = reload(Keys.OPS);
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        assertThat(config().path("lastError").isNull()).isTrue();
    }

    @Test
    void reloadsRouteAndConnectorUnderLoadWithoutLosingAMessage() throws Exception {
        LoadLedger ledger = new LoadLedger("hot", "order-created", KEY_1, "load");
        ledger.start(hub(), 4);
        long before = config().path("version").asLong();
        try {
            // Several swaps of the route (and of the connector: a new rate limit and a second event) while intake runs.
            for (int i = 0; i < 6; i++) {
                int n = ledger.acknowledgedCount();
                await().atMost(Duration.ofSeconds(10)).until(() -> ledger.acknowledgedCount() > n + 10);
                writeRoute(i % 2 == 0 ? "/v2/orders" : "/v1/orders");
                writeConnector(KEY_1, 100_000 - i, "  order-updated:\n    route: hot-order-created\n");
                HubClient.Res res = reload(Keys.OPS);
                assertThat(res.status()).as(res.toString()).isEqualTo(200);
            }
        } finally {
            ledger.stop();
        }
        assertThat(config().path("version").asLong()).isGreaterThanOrEqualTo(before + 6);
        assertThat(ledger.statuses().keySet()).as(ledger.toString()).containsOnly(202);
        Map<String, String> acknowledged = ledger.acknowledged();
        assertThat(acknowledged).hasSizeGreaterThan(60);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<String> undelivered = new ArrayList<>();
            for (String receipt : acknowledged.values()) {
                if (!"delivered".equals(status(receipt))) {
                    undelivered.add(receipt + "=" + status(receipt));
                }
            }
            assertThat(undelivered).as("acknowledged but not delivered").isEmpty();
        });
        assertThat(jdbc.queryForList("""
                SELECT a.receipt_id || ' ' || a.error_class || ' ' || a.error_message FROM delivery_attempt a
                JOIN message m ON m.receipt_id = a.receipt_id WHERE m.partner = 'hot' AND a.outcome <> 'delivered'
                AND (a.error_class LIKE '%DirectConsumerNotAvailable%' OR a.error_message LIKE '%No consumers available%')""", String.class))
                .as("attempts spent on a route swap").isEmpty();
        // Both versions of the route served: the swap happened mid-run.
        assertThat(TARGET.findAll(postRequestedFor(urlPathEqualTo("/v1/orders")))).isNotEmpty();
        assertThat(TARGET.findAll(postRequestedFor(urlPathEqualTo("/v2/orders")))).isNotEmpty();
    }

    @Test
    void refusesAnInvalidChangeAndKeepsServingTheOldOne() throws Exception {
        long version = config().path("version").asLong();

        Files.writeString(connectors.resolve("hot.yaml"), "partner: hot\napiKeys: [ {id: k\n");
        HubClient.Res broken = reload(Keys.OPS);
        assertThat(broken.status()).as(broken.toString()).isEqualTo(422);
        assertThat(broken.header("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(broken.json().path("errors").get(0).asText()).contains("hot.yaml: ").contains("not valid YAML");

        writeConnector(KEY_1, 100_000, "  order-updated:\n    route: nowhere\n");
        HubClient.Res unknownRoute = reload(Keys.OPS);
        assertThat(unknownRoute.status()).as(unknownRoute.toString()).isEqualTo(422);
        assertThat(unknownRoute.json().path("errors").get(0).asText())
                .contains("hot.yaml: /events/order-updated/route: route 'nowhere' is not declared");
        JsonNode config = config();
        assertThat(config.path("version").asLong()).isEqualTo(version);
        assertThat(config.path("lastError").asText()).contains("route 'nowhere'");
        JsonNode partners = hub().get("/ops/partners", "X-API-Key", Keys.OPS_READ).json();
        assertThat(partners.get(0).path("config").path("lastError").asText()).contains("route 'nowhere'");
        assertThat(partners.get(0).path("config").path("version").asLong()).isEqualTo(version);

        // Valid for the hub's checks, refused by Camel: the old route must still be the one running.
        writeConnector(KEY_1, 100_000);
        writeRoute("/v1/orders");
        writeRouteFile("hot-order-created.yaml", "hot-order-created", "nosuchcomponent:anywhere");
        HubClient.Res camelRefused = reload(Keys.OPS);
        assertThat(camelRefused.status()).as(camelRefused.toString()).isEqualTo(422);
        assertThat(camelRefused.json().path("errors").get(0).asText()).contains("hot-order-created.yaml").contains("nosuchcomponent");

        assertThat(send(KEY_1, "still-served")).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> TARGET.verify(1,
                postRequestedFor(urlPathEqualTo("/v1/orders")).withRequestBody(equalTo(LoadLedger.payload("still-served")))));
        assertThat(config().path("version").asLong()).isEqualTo(version);
    }

    @Test
    void revokedKeyStopsAndNewKeyWorksWithinTheWatchDelay() throws Exception {
        assertThat(send(KEY_1, "before-rotation")).isEqualTo(202);
        assertThat(send(KEY_2, "new-key-too-early")).isEqualTo(401);

        writeConnector(KEY_2, 100_000); // KEY_1 revoked, KEY_2 added; no POST: the watcher must see it

        // Documented delay: two watch intervals (here 2 x 100 ms) plus the reload; a generous deadline for a busy machine.
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> send(KEY_1, "revoked-" + System.nanoTime()) == 401);
        assertThat(send(KEY_2, "after-rotation")).isEqualTo(202);
        assertThat(config().path("lastError").isNull()).isTrue();
    }

    @Test
    void changedRateLimitAppliesAtOnce() throws Exception {
        assertThat(send(KEY_1, "unlimited-1")).isEqualTo(202);
        assertThat(send(KEY_1, "unlimited-2")).isEqualTo(202);

        writeConnector(KEY_1, "{ capacity: 1, refillPerSecond: 0.001 }");
        HubClient.Res res = reload(Keys.OPS);
        assertThat(res.status()).as(res.toString()).isEqualTo(200);

        assertThat(send(KEY_1, "limited-1")).isEqualTo(202);
        HubClient.Res limited = hub().postJson("/webhooks/hot/order-created", LoadLedger.payload("limited-2"), "X-API-Key", KEY_1,
                "Idempotency-Key", "limited-2");
        assertThat(limited.status()).as(limited.toString()).isEqualTo(429);
        assertThat(limited.header("RateLimit-Policy").orElse("")).contains("q=1;");
    }

    @Test
    void inFlightDeliveryFinishesOnTheRouteItStartedOn() throws Exception {
        TARGET.stubFor(post(urlPathEqualTo("/v1/orders")).willReturn(aResponse().withStatus(200).withFixedDelay(1500)));
        assertThat(send(KEY_1, "in-flight")).isEqualTo(202);
        await().atMost(Duration.ofSeconds(5)).until(() -> !TARGET.findAll(postRequestedFor(urlPathEqualTo("/v1/orders"))).isEmpty());

        writeRoute("/v2/orders");
        HubClient.Res res = reload(Keys.OPS);
        assertThat(res.status()).as(res.toString()).isEqualTo(200);

        String receipt = jdbc.queryForObject("SELECT receipt_id FROM message WHERE idempotency_key = 'in-flight'", String.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> "delivered".equals(status(receipt)));
        assertThat(jdbc.queryForObject("SELECT attempts FROM message WHERE receipt_id = ?", Integer.class, receipt)).isEqualTo(1);
        assertThat(TARGET.findAll(postRequestedFor(urlPathEqualTo("/v2/orders")))).isEmpty();
        assertThat(send(KEY_1, "after-swap")).isEqualTo(202);
        await().atMost(Duration.ofSeconds(5)).until(() -> !TARGET.findAll(postRequestedFor(urlPathEqualTo("/v2/orders"))).isEmpty());
    }

    @Test
    void onlyAdminsReloadAndEveryReloadIsAudited() throws Exception {
        HubClient.Res reader = reload(Keys.OPS_READ);
        assertThat(reader.status()).as(reader.toString()).isEqualTo(403);
        assertThat(reader.header("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(hub().postJson("/ops/reload", "").status()).isEqualTo(401);
        assertThat(hub().get("/ops/config", "X-API-Key", Keys.OPS_READ).status()).isEqualTo(200);

        writeRouteFile("hot-extra.yaml", "hot-extra", "target:hot/erp?path=/extra");
        HubClient.Res admin = reload(Keys.OPS_ADMIN);
        assertThat(admin.status()).as(admin.toString()).isEqualTo(200);
        long version = admin.json().path("version").asLong();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM ops_audit WHERE action = 'reload' AND actor = 'boss' AND reason LIKE ?",
                Long.class, "version " + version + " loaded%")).isEqualTo(1);
        assertThat(config().path("files").has(routes.resolve("hot-extra.yaml").toString())).isTrue();
    }
}
