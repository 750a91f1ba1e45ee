package dev.junction.sandbox;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.junction.JunctionProperties;
import dev.junction.support.ErpHubTest;
import dev.junction.support.HubClient;
import dev.junction.support.Keys;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * The sandbox ERP agent inside a hub on a random port, over real HTTP: it registers and heartbeats with the hub's
 * agent API, pushes its demo catalog through the batch endpoints, takes orders (secret, Idempotency-Key, booked once)
 * and calls back; a WireMock stands in for the hub's callback endpoint ({@code junction.sandbox.agent.callback-base-url}).
 * Its reconcile endpoints are checked against vectors computed by hand.
 */
@TestPropertySource(properties = {
        "junction.sandbox.agent.enabled=true",
        "junction.sandbox.agent.token=" + Keys.FRESH_FOODS_AGENT,
        "junction.sandbox.agent.secret=" + SandboxAgentTest.SECRET,
        "junction.sandbox.agent.booking-delay=200ms",
        "junction.sandbox.agent.heartbeat-every=500ms",
})
@ExtendWith(OutputCaptureExtension.class)
class SandboxAgentTest extends ErpHubTest {

    static final String SECRET = "sandbox-orders-secret-1";
    static final String FF = "fresh-foods";
    static final String CALLBACKS = "/agents/fresh-foods/callbacks";
    static final ObjectMapper JSON = new ObjectMapper();
    static final WireMockServer HUB_CALLBACKS = new WireMockServer(options().dynamicPort());

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) throws Exception {
        Path dir = Files.createTempDirectory("junction-sandbox-agent");
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + dir.resolve("junction") + ";WRITE_DELAY=0");
        if (!HUB_CALLBACKS.isRunning()) {
            HUB_CALLBACKS.start();
        }
        registry.add("junction.sandbox.agent.callback-base-url", HUB_CALLBACKS::baseUrl);
    }

    @AfterAll
    static void stopStub() {
        HUB_CALLBACKS.stop();
    }

    @BeforeEach
    void stubCallbacks() {
        HUB_CALLBACKS.resetAll();
        HUB_CALLBACKS.stubFor(post(urlPathEqualTo(CALLBACKS)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{}")));
    }

    // --- registration, heartbeat, catalog ---------------------------------------------------------------------------

    @Test
    void registersWithTheHubAndShowsOnlineToOps() {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode agent = agentRow();
            assertThat(agent.path("status").asText()).isEqualTo("online");
            assertThat(agent.path("agentUrl").asText()).isEqualTo("http://localhost:" + port + "/sandbox/agent/fresh-foods");
            assertThat(agent.path("erpType").asText()).isEqualTo("sandbox");
            // Heartbeats report what it holds unbooked.
            assertThat(agent.path("agentPendingOrders").isNumber()).isTrue();
        });
        assertThat(jdbc.queryForObject("SELECT erp_type FROM erp_agent WHERE vendor = ?", String.class, FF)).isEqualTo("sandbox");
    }

    @Test
    void pushesItsDemoCatalogThroughTheBatchEndpointsAndAgainOnceTheMappingsAreImported() throws Exception {
        // Warehouses need no mapping: they are in the mirror from the first push.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(count("erp_warehouse")).isEqualTo(2));
        HubClient.Res imported = opsPost("/ops/erp/mappings/import",
                Files.readString(Path.of("../shared/erp/item-mapping.json"), StandardCharsets.UTF_8));
        assertThat(imported.status()).as(imported.toString()).isEqualTo(200);
        // The next heartbeat pushes again: items map now, and their stock finds them.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(count("erp_item")).isEqualTo(20);
            assertThat(count("erp_stock")).isEqualTo(28);
        });
        JsonNode item = opsGet("/ops/erp/fresh-foods/items/ART-1001").json();
        assertThat(item.path("unit").path("code").asText()).isEqualTo("unit_kg_rm");
        assertThat(item.path("label").asText()).isEqualTo("Pommes Golden");

        // The agent's content hashes are the hub's: its checksums equal the ones computed from the mirror's own hashes
        // (up to ART-1020, which the drift test may change in the agent's copy).
        for (String[] kind : new String[][] {{"items", "erp_item", "erp_id", "?to=ART-1020", " AND erp_id < 'ART-1020'"},
                {"warehouses", "erp_warehouse", "erp_id", "", ""}, {"stock", "erp_stock", "warehouse_erp_id || '/' || item_erp_id", "", ""}}) {
            List<Map<String, Object>> rows = jdbc.queryForList("SELECT " + kind[2] + " AS k, content_hash FROM " + kind[1]
                    + " WHERE vendor = ?" + kind[4] + " ORDER BY k", FF);
            StringBuilder lines = new StringBuilder();
            rows.forEach(r -> lines.append(r.get("k")).append(':').append(r.get("content_hash")).append('\n'));
            JsonNode checksum = hub().get("/sandbox/agent/fresh-foods/reconcile/" + kind[0] + "/checksum" + kind[3]).json();
            assertThat(checksum.path("count").asInt()).as(kind[0]).isEqualTo(rows.size());
            assertThat(checksum.path("checksum").asText()).as(kind[0]).isEqualTo(sha256(lines.toString()));
        }
    }

    // --- orders and callbacks --------------------------------------------------------------------------------------

    @Test
    void anOrderIsAcceptedBookedOncePerIdempotencyKeyAndCalledBack() throws Exception {
        String receipt = "r-" + UUID.randomUUID();
        HubClient.Res first = order("/orders", receipt, "{\"orderId\":\"1001\",\"lines\":[{\"sku\":\"POM-GOLD-KG\",\"qty\":3}]}");
        HubClient.Res again = order("/orders", receipt, "{\"orderId\":\"1001\",\"lines\":[{\"sku\":\"POM-GOLD-KG\",\"qty\":3}]}");
        assertThat(first.status()).as(first.toString()).isEqualTo(202);
        assertThat(first.json().path("accepted").asBoolean()).isTrue();
        assertThat(again.status()).isEqualTo(202);

        List<JsonNode> callbacks = awaitCallbacks(receipt, 1);
        JsonNode callback = callbacks.get(0);
        assertThat(callback.path("status").asText()).isEqualTo("completed");
        assertThat(callback.path("erpReference").asText()).matches("SBX-\\d{6}");
        assertThat(callback.path("erpDocumentId").asText()).isNotBlank();
        assertThat(callback.has("error")).isFalse();
        LoggedRequest request = HUB_CALLBACKS.findAll(postRequestedFor(urlPathEqualTo(CALLBACKS))
                .withRequestBody(matchingJsonPath("$.receiptId", equalTo(receipt)))).get(0);
        assertThat(request.getHeader("Authorization")).isEqualTo("Bearer " + Keys.FRESH_FOODS_AGENT);
        assertThat(request.getHeader("Content-Type")).startsWith("application/json");

        // Booked once: the repeat sent while booking added nothing.
        await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(callbacksFor(receipt)).hasSize(1));

        // The hub calling again after the booking (its callback was lost) gets the same outcome again, not a second booking.
        assertThat(order("/orders", receipt, "{\"orderId\":\"1001\"}").status()).isEqualTo(202);
        List<JsonNode> repeated = awaitCallbacks(receipt, 2);
        assertThat(repeated.get(1).path("erpReference").asText()).isEqualTo(callback.path("erpReference").asText());
    }

    @Test
    void anyOnePathARouteNamesIsAnOrdersEndpoint() {
        String receipt = "r-" + UUID.randomUUID();
        assertThat(order("/purchase-orders", receipt, "{\"orderId\":\"7\"}").status()).isEqualTo(202);
        assertThat(awaitCallbacks(receipt, 1).get(0).path("status").asText()).isEqualTo("completed");
    }

    @Test
    void ordersNeedTheSecretAndAnIdempotencyKey() {
        String receipt = "r-" + UUID.randomUUID();
        HubClient.Res wrong = hub().postJson("/sandbox/agent/fresh-foods/orders", "{}", "Authorization", "Bearer not-the-secret",
                "Idempotency-Key", receipt);
        HubClient.Res none = hub().postJson("/sandbox/agent/fresh-foods/orders", "{}", "Idempotency-Key", receipt);
        HubClient.Res noKey = hub().postJson("/sandbox/agent/fresh-foods/orders", "{}", "Authorization", "Bearer " + SECRET);
        HubClient.Res otherVendor = hub().postJson("/sandbox/agent/brewery/orders", "{}", "Authorization", "Bearer " + SECRET,
                "Idempotency-Key", receipt);
        assertThat(wrong.status()).as(wrong.toString()).isEqualTo(401);
        assertThat(wrong.header("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(none.status()).isEqualTo(401);
        assertThat(noKey.status()).isEqualTo(400);
        assertThat(otherVendor.status()).isEqualTo(404);
        assertThat(hub().postJson("/sandbox/agent/fresh-foods/orders", "not json", "Authorization", "Bearer " + SECRET,
                "Idempotency-Key", receipt).status()).isEqualTo(400);
    }

    @Test
    void sandboxFailIsANonRetryableFailure() {
        String receipt = "r-" + UUID.randomUUID();
        assertThat(order("/orders", receipt, "{\"orderId\":\"9\",\"sandbox\":\"fail\"}").status()).isEqualTo(202);
        JsonNode callback = awaitCallbacks(receipt, 1).get(0);
        assertThat(callback.path("status").asText()).isEqualTo("failed");
        assertThat(callback.path("error").path("retryable").asBoolean(true)).isFalse();
        assertThat(callback.path("error").path("code").asText()).isNotBlank();
        assertThat(callback.path("error").path("message").asText()).isNotBlank();
        assertThat(callback.has("erpReference")).isFalse();
    }

    @Test
    void sandboxRetryFailsRetryablyOnceThenCompletesOnTheHubsRetry() {
        String receipt = "r-" + UUID.randomUUID();
        assertThat(order("/orders", receipt, "{\"orderId\":\"10\",\"sandbox\":\"retry\"}").status()).isEqualTo(202);
        JsonNode first = awaitCallbacks(receipt, 1).get(0);
        assertThat(first.path("status").asText()).isEqualTo("failed");
        assertThat(first.path("error").path("retryable").asBoolean()).isTrue();
        // The hub's next attempt carries the same Idempotency-Key.
        assertThat(order("/orders", receipt, "{\"orderId\":\"10\",\"sandbox\":\"retry\"}").status()).isEqualTo(202);
        JsonNode second = awaitCallbacks(receipt, 2).get(1);
        assertThat(second.path("status").asText()).isEqualTo("completed");
        assertThat(second.path("erpReference").asText()).matches("SBX-\\d{6}");
    }

    @Test
    void aCallbackAnswered5xxIsRetriedAndA404IsDropped() throws Exception {
        String flaky = "r-" + UUID.randomUUID();
        HUB_CALLBACKS.stubFor(post(urlPathEqualTo(CALLBACKS)).withRequestBody(matchingJsonPath("$.receiptId", equalTo(flaky)))
                .inScenario("flaky").whenScenarioStateIs(Scenario.STARTED).willReturn(aResponse().withStatus(503))
                .willSetStateTo("up"));
        HUB_CALLBACKS.stubFor(post(urlPathEqualTo(CALLBACKS)).withRequestBody(matchingJsonPath("$.receiptId", equalTo(flaky)))
                .inScenario("flaky").whenScenarioStateIs("up").willReturn(aResponse().withStatus(200).withBody("{}")));
        String unknown = "r-" + UUID.randomUUID();
        HUB_CALLBACKS.stubFor(post(urlPathEqualTo(CALLBACKS)).withRequestBody(matchingJsonPath("$.receiptId", equalTo(unknown)))
                .willReturn(aResponse().withStatus(404)));

        assertThat(order("/orders", flaky, "{\"orderId\":\"11\"}").status()).isEqualTo(202);
        assertThat(order("/orders", unknown, "{\"orderId\":\"12\"}").status()).isEqualTo(202);

        List<JsonNode> tries = awaitCallbacks(flaky, 2);
        assertThat(tries.get(1)).isEqualTo(tries.get(0));
        assertThat(awaitCallbacks(unknown, 1)).hasSize(1);
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(callbacksFor(flaky)).hasSize(2);
            assertThat(callbacksFor(unknown)).hasSize(1);
        });
    }

    // --- reconciliation ---------------------------------------------------------------------------------------------

    @Test
    void checksumAndRecordsOverTheWarehousesMatchHandComputedVectors() throws Exception {
        // RFC 8785: members sorted, no whitespace, updatedAt left out; keys in UTF-8 byte order ("WH-COLD" < "WH-MAIN").
        String cold = "{\"erpId\":\"WH-COLD\",\"isDefault\":false,\"isMain\":false,\"name\":\"Chambre froide\",\"type\":0}";
        String main = "{\"erpId\":\"WH-MAIN\",\"isDefault\":true,\"isMain\":true,\"name\":\"Entrepôt principal (Rungis)\",\"type\":0}";
        String lines = "WH-COLD:" + sha256(cold) + "\nWH-MAIN:" + sha256(main) + "\n";

        JsonNode all = hub().get("/sandbox/agent/fresh-foods/reconcile/warehouses/checksum").json();
        assertThat(all.path("count").asInt()).isEqualTo(2);
        assertThat(all.path("checksum").asText()).isEqualTo(sha256(lines));

        JsonNode firstOnly = hub().get("/sandbox/agent/fresh-foods/reconcile/warehouses/checksum?from=WH-A&to=WH-MAIN").json();
        assertThat(firstOnly.path("count").asInt()).isEqualTo(1);
        assertThat(firstOnly.path("checksum").asText()).isEqualTo(sha256("WH-COLD:" + sha256(cold) + "\n"));

        JsonNode empty = hub().get("/sandbox/agent/fresh-foods/reconcile/warehouses/checksum?from=X&to=Y").json();
        assertThat(empty.path("count").asInt()).isZero();
        assertThat(empty.path("checksum").asText()).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

        JsonNode records = hub().get("/sandbox/agent/fresh-foods/reconcile/warehouses/records?from=WH-MAIN").json();
        assertThat(records.path("records")).hasSize(1);
        assertThat(records.path("records").get(0).path("erpId").asText()).isEqualTo("WH-MAIN");
        assertThat(records.path("records").get(0).path("updatedAt").asText()).isNotBlank();
        assertThat(records.path("next").isNull()).isTrue();

        assertThat(hub().get("/sandbox/agent/fresh-foods/reconcile/orders/checksum").status()).isEqualTo(404);
        assertThat(hub().get("/sandbox/agent/fresh-foods/reconcile/items/records?limit=0").status()).isEqualTo(400);
    }

    @Test
    void recordsPageInKeyOrderWithNext() {
        List<String> keys = new ArrayList<>();
        List<String> nexts = new ArrayList<>();
        String from = null;
        do {
            JsonNode page = hub().get("/sandbox/agent/fresh-foods/reconcile/items/records?limit=7"
                    + (from == null ? "" : "&from=" + from)).json();
            assertThat(page.path("records").size()).isLessThanOrEqualTo(7);
            page.path("records").forEach(r -> keys.add(r.path("erpId").asText()));
            from = page.path("next").isNull() ? null : page.path("next").asText();
            nexts.add(from);
        } while (from != null);
        assertThat(keys).hasSize(20).isSorted().doesNotHaveDuplicates();
        assertThat(nexts).containsExactly("ART-1008", "ART-1015", null);

        JsonNode bounded = hub().get("/sandbox/agent/fresh-foods/reconcile/items/records?from=ART-1005&to=ART-1010&limit=3").json();
        assertThat(bounded.path("records")).extracting(r -> r.path("erpId").asText()).containsExactly("ART-1005", "ART-1006", "ART-1007");
        assertThat(bounded.path("next").asText()).isEqualTo("ART-1008");
        JsonNode rest = hub().get("/sandbox/agent/fresh-foods/reconcile/items/records?from=ART-1008&to=ART-1010&limit=3").json();
        assertThat(rest.path("records")).extracting(r -> r.path("erpId").asText()).containsExactly("ART-1008", "ART-1009");
        assertThat(rest.path("next").isNull()).isTrue();
    }

    @Test
    void driftNeedsAnAdminOpsKeyAndChangesOneRecordsChecksum() {
        String path = "/sandbox/agent/fresh-foods/drift?erpId=ART-1020";
        assertThat(hub().postJson(path, "").status()).isEqualTo(401);
        assertThat(hub().postJson(path, "", "Authorization", "Bearer " + SECRET).status()).isEqualTo(401);
        assertThat(hub().postJson(path, "", "Authorization", "Bearer " + Keys.FRESH_FOODS_AGENT).status()).isEqualTo(403);

        String range = "/sandbox/agent/fresh-foods/reconcile/items/checksum?from=ART-1020";
        String otherRange = "/sandbox/agent/fresh-foods/reconcile/items/checksum?to=ART-1020";
        String before = hub().get(range).json().path("checksum").asText();
        String otherBefore = hub().get(otherRange).json().path("checksum").asText();
        HubClient.Res drifted = opsPost(path, "");
        assertThat(drifted.status()).as(drifted.toString()).isEqualTo(200);
        assertThat(drifted.json().path("key").asText()).isEqualTo("ART-1020");
        assertThat(drifted.json().path("label").asText()).startsWith("Sel de Guérande (drift ");
        assertThat(hub().get(range).json().path("checksum").asText()).isNotEqualTo(before);
        assertThat(hub().get(otherRange).json().path("checksum").asText()).isEqualTo(otherBefore);
        assertThat(opsPost("/sandbox/agent/fresh-foods/drift?erpId=NOPE", "").status()).isEqualTo(404);
    }

    @Test
    void theExistingSandboxReceiverStillWorks() {
        assertThat(hub().postJson("/sandbox/demo", "{\"a\":1}").status()).isEqualTo(200);
        assertThat(hub().postJson("/sandbox/demo/orders", "{\"a\":1}").status()).isEqualTo(200);
    }

    // --- settings ---------------------------------------------------------------------------------------------------

    @Test
    void enabledWithoutATokenItDoesNotStartAndSaysWhy(CapturedOutput output) {
        SandboxAgent noToken = agentWith(Map.of("junction.sandbox.agent.enabled", "true"));
        noToken.start();
        assertThat(noToken.running()).isFalse();
        assertThat(output.getOut()).contains("Sandbox agent not started").contains("JUNCTION_SANDBOX_AGENT_TOKEN");

        SandboxAgent disabled = agentWith(Map.of("junction.sandbox.agent.token", "some-token"));
        disabled.start();
        assertThat(disabled.running()).isFalse();

        JunctionProperties.SandboxAgent defaults = bind(Map.of()).sandbox().agent();
        assertThat(defaults.enabled()).isFalse();
        assertThat(defaults.vendor()).isEqualTo("fresh-foods");
        assertThat(defaults.token()).isNull();
        assertThat(defaults.secret()).isNull();
        assertThat(defaults.bookingDelay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(defaults.heartbeatEvery()).isEqualTo(Duration.ofSeconds(30));
        assertThat(bind(Map.of("junction.sandbox.agent.token", "t0ken", "junction.sandbox.agent.secret", "s3cret"))
                .sandbox().agent().toString()).doesNotContain("t0ken").doesNotContain("s3cret");
    }

    private static SandboxAgent agentWith(Map<String, String> settings) {
        return new SandboxAgent(bind(settings), JSON, new MockEnvironment().withProperty("local.server.port", "1"));
    }

    private static JunctionProperties bind(Map<String, String> settings) {
        return new Binder(new MapConfigurationPropertySource(settings)).bindOrCreate("junction", JunctionProperties.class);
    }

    // --- the data set itself, by hand ------------------------------------------------------------------------------

    @Test
    void aTinyCatalogsChecksumsRangesAndPagesByHand() throws Exception {
        ObjectNode a = DemoCatalog.item("A-1", "S1", "Label", "KG", "3", "FL", "FL01", new BigDecimal("1.50"), new BigDecimal("1.58"));
        ObjectNode b = DemoCatalog.item("B-1", "S2", "Äpfel \"bio\"", "KG", "3", "FL", "FL01", new BigDecimal("2"), new BigDecimal("2.11"));
        // "Z" < "é" (U+00E9) in UTF-8 byte order, as in UTF-16; "é" < "😀" (U+1F600) in UTF-8 but not in UTF-16 against U+FFxx.
        ObjectNode c = DemoCatalog.item("\uFF21", "S3", "Fullwidth A", "KG", "3", null, null, new BigDecimal("1"), new BigDecimal("1"));
        ObjectNode d = DemoCatalog.item("\uD83D\uDE00", "S4", "Emoji", "KG", "3", null, null, new BigDecimal("1"), new BigDecimal("1"));
        DemoCatalog catalog = new DemoCatalog(Map.of(DemoCatalog.Kind.ITEMS, List.of(d, c, b, a)));

        String hashA = sha256("{\"erpId\":\"A-1\",\"family\":\"FL\",\"label\":\"Label\",\"priceExclVat\":1.5,\"priceInclVat\":1.58,"
                + "\"sku\":\"S1\",\"subfamily\":\"FL01\",\"unit\":\"KG\",\"vat\":\"3\"}");
        String hashB = sha256("{\"erpId\":\"B-1\",\"family\":\"FL\",\"label\":\"Äpfel \\\"bio\\\"\",\"priceExclVat\":2,\"priceInclVat\":2.11,"
                + "\"sku\":\"S2\",\"subfamily\":\"FL01\",\"unit\":\"KG\",\"vat\":\"3\"}");
        DemoCatalog.Checksum ab = catalog.checksum(DemoCatalog.Kind.ITEMS, null, "C");
        assertThat(ab.count()).isEqualTo(2);
        assertThat(ab.checksum()).isEqualTo(sha256("A-1:" + hashA + "\nB-1:" + hashB + "\n"));
        assertThat(catalog.checksum(DemoCatalog.Kind.ITEMS, "B-1", "B-1").count()).isZero();
        assertThat(catalog.checksum(DemoCatalog.Kind.ITEMS, "B-1", "B-2").count()).isEqualTo(1);
        assertThat(catalog.checksum(DemoCatalog.Kind.WAREHOUSES, null, null))
                .isEqualTo(new DemoCatalog.Checksum(0, sha256("")));

        // Byte order: the emoji (F0 9F ...) sorts after the fullwidth letter (EF BC A1), unlike UTF-16's order.
        DemoCatalog.Page page = catalog.records(DemoCatalog.Kind.ITEMS, null, null, 3);
        assertThat(page.records()).extracting(r -> r.path("erpId").asText()).containsExactly("A-1", "B-1", "\uFF21");
        assertThat(page.next()).isEqualTo("\uD83D\uDE00");
        assertThat(catalog.records(DemoCatalog.Kind.ITEMS, page.next(), null, 3).next()).isNull();
    }

    // --- helpers ----------------------------------------------------------------------------------------------------

    private HubClient.Res order(String path, String receipt, String json) {
        return hub().postJson("/sandbox/agent/fresh-foods" + path, json, "Authorization", "Bearer " + SECRET,
                "Idempotency-Key", receipt, "X-Correlation-Id", "corr-" + receipt);
    }

    private List<JsonNode> callbacksFor(String receipt) {
        List<JsonNode> bodies = new ArrayList<>();
        for (LoggedRequest r : HUB_CALLBACKS.findAll(postRequestedFor(urlPathEqualTo(CALLBACKS))
                .withRequestBody(matchingJsonPath("$.receiptId", equalTo(receipt))))) {
            try {
                bodies.add(JSON.readTree(r.getBodyAsString()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return bodies;
    }

    private List<JsonNode> awaitCallbacks(String receipt, int n) {
        await().atMost(Duration.ofSeconds(15)).until(() -> callbacksFor(receipt).size() >= n);
        return callbacksFor(receipt);
    }

    private JsonNode agentRow() {
        for (JsonNode a : opsGet("/ops/agents").json()) {
            if (FF.equals(a.path("vendor").asText())) {
                return a;
            }
        }
        throw new AssertionError("fresh-foods is not in /ops/agents");
    }

    private int count(String table) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM " + table + " WHERE vendor = ?", Integer.class, FF);
    }

    static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }
}
