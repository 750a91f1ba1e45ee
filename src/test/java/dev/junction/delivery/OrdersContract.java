package dev.junction.delivery;

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
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.junction.support.ErpHubTest;
import dev.junction.support.HubClient;
import dev.junction.support.Keys;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Orders to an ERP agent (ERP-AGENTS.md, "Orders to the agent") against a WireMock agent: what the call carries, each
 * callback outcome, the callback deadline, a callback that overtakes the agent's 2xx, and orders held for an agent that
 * never registered. The market partner's {@code order-placed} route ends in {@code agent:fresh-foods/orders}; its retry
 * policy is 3 attempts 1 s apart, and fresh-foods' callback timeout is 3 s.
 */
abstract class OrdersContract extends ErpHubTest {

    static final String SECRET = "ff-agent-secret-" + UUID.randomUUID();
    /** One agent for both databases' classes in the JVM; it stops with the JVM. */
    static final WireMockServer AGENT = new WireMockServer(options().dynamicPort());

    static {
        AGENT.start();
    }

    static void agentSecret(DynamicPropertyRegistry registry) {
        registry.add("FF_AGENT_SECRET", () -> SECRET);
    }

    @BeforeEach
    void agentTakesOrders() {
        AGENT.resetAll();
        AGENT.stubFor(post(urlPathEqualTo("/erp/orders")).willReturn(aResponse().withStatus(202).withBody("{\"accepted\":true}")));
        HubClient.Res registered = agentPost("fresh-foods", Keys.FRESH_FOODS_AGENT, "/register",
                "{\"agentUrl\":\"" + AGENT.baseUrl() + "/erp\",\"erpType\":\"EBP\",\"version\":\"test\"}");
        assertThat(registered.status()).as(registered.toString()).isEqualTo(200);
    }

    String order(String event) {
        HubClient.Res res = hub().postJson("/webhooks/market/" + event, "{\"orderId\":\"" + UUID.randomUUID() + "\",\"lines\":[{\"sku\":\"A1\",\"qty\":2}]}",
                "X-API-Key", Keys.MARKET, "Idempotency-Key", UUID.randomUUID().toString());
        assertThat(res.status()).as(res.toString()).isEqualTo(202);
        return res.json().path("receiptId").asText();
    }

    List<LoggedRequest> calls(String receiptId) {
        return AGENT.findAll(postRequestedFor(urlPathEqualTo("/erp/orders")).withHeader("Idempotency-Key", equalTo(receiptId)));
    }

    JsonNode receipt(String receiptId) {
        return hub().get("/webhooks/market/receipts/" + receiptId, "X-API-Key", Keys.MARKET).json();
    }

    String status(String receiptId) {
        return jdbc.queryForObject("SELECT status FROM message WHERE receipt_id = ?", String.class, receiptId);
    }

    void awaitStatus(String receiptId, String status) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(status(receiptId)).isEqualTo(status));
    }

    HubClient.Res callback(String receiptId, String body) {
        return agentPost("fresh-foods", Keys.FRESH_FOODS_AGENT, "/callbacks", "{\"receiptId\":\"" + receiptId + "\"," + body + "}");
    }

    List<String> attemptOutcomes(String receiptId) {
        return jdbc.queryForList("SELECT outcome FROM delivery_attempt WHERE receipt_id = ? ORDER BY id", String.class, receiptId);
    }

    @Test
    void anOrderCarriesTheSecretAndKeysOnlyAndAwaitsTheCallbackWithoutALease() {
        String id = order("order-placed");
        awaitStatus(id, "awaiting-callback");
        assertThat(calls(id)).singleElement().satisfies(call -> {
            assertThat(call.getHeader("Authorization")).isEqualTo("Bearer " + SECRET);
            assertThat(call.getHeader("X-Correlation-Id")).isNotBlank();
            assertThat(call.getHeader("Content-Type")).startsWith("application/json");
            assertThat(call.containsHeader("X-API-Key")).as("the partner's key is never forwarded").isFalse();
            assertThat(call.getBodyAsString()).contains("\"sku\":\"A1\"");
        });
        assertThat(receipt(id).path("status").asText()).isEqualTo("awaiting-callback");
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM message WHERE receipt_id = ? AND lease_owner IS NULL AND agent_vendor = 'fresh-foods'",
                Long.class, id)).as("no lease, no delivery slot while the ERP books it").isEqualTo(1);
    }

    @Test
    void aCompletedCallbackDeliversTheOrderWithTheErpReferenceAndARepeatChangesNothing() {
        String id = order("order-placed");
        awaitStatus(id, "awaiting-callback");
        HubClient.Res done = callback(id, "\"status\":\"completed\",\"erpReference\":\"BL-2026-0042\",\"erpDocumentId\":\"DOC-9\"");
        assertThat(done.status()).as(done.toString()).isEqualTo(200);
        assertThat(done.json().path("outcome").asText()).isEqualTo("applied");
        JsonNode receipt = receipt(id);
        assertThat(receipt.path("status").asText()).isEqualTo("delivered");
        assertThat(receipt.path("result").toString()).isEqualTo("{\"erpReference\":\"BL-2026-0042\",\"erpDocumentId\":\"DOC-9\"}");
        assertThat(receipt.path("attempts").asInt()).isEqualTo(1);

        HubClient.Res again = callback(id, "\"status\":\"completed\",\"erpReference\":\"BL-2026-0042\",\"erpDocumentId\":\"DOC-9\"");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().path("outcome").asText()).isEqualTo("repeat");
        assertThat(callback(id, "\"status\":\"completed\",\"erpReference\":\"BL-OTHER\"").status()).isEqualTo(409);
        assertThat(callback(id, "\"status\":\"failed\",\"error\":{\"code\":\"X\",\"message\":\"no\",\"retryable\":false}").status()).isEqualTo(409);
        assertThat(receipt(id).path("result").path("erpReference").asText()).isEqualTo("BL-2026-0042");
        assertThat(attemptOutcomes(id)).containsExactly("awaiting-callback", "delivered");
    }

    @Test
    void aRetryableFailureIsAFailedAttemptAndTheNextCallCarriesTheSameIdempotencyKey() {
        String id = order("order-placed");
        awaitStatus(id, "awaiting-callback");
        HubClient.Res failed = callback(id, "\"status\":\"failed\",\"error\":{\"code\":\"LOCKED\",\"message\":\"ERP busy\",\"retryable\":true}");
        assertThat(failed.status()).isEqualTo(200);
        assertThat(status(id)).isEqualTo("retrying");
        await().atMost(Duration.ofSeconds(20)).until(() -> calls(id).size() == 2);
        awaitStatus(id, "awaiting-callback");
        assertThat(callback(id, "\"status\":\"completed\",\"erpReference\":\"BL-7\"").status()).isEqualTo(200);
        assertThat(status(id)).isEqualTo("delivered");
        assertThat(attemptOutcomes(id)).containsExactly("awaiting-callback", "retry", "awaiting-callback", "delivered");
        assertThat(jdbc.queryForObject("SELECT error_message FROM delivery_attempt WHERE receipt_id = ? AND outcome = 'retry'", String.class, id))
                .isEqualTo("ERP busy");
    }

    @Test
    void aFailureThatIsNotRetryableIsADeadLetterWithTheAgentsError() {
        String id = order("order-placed");
        awaitStatus(id, "awaiting-callback");
        assertThat(callback(id, "\"status\":\"failed\",\"error\":{\"code\":\"UNKNOWN_SKU\",\"message\":\"SKU A1 unknown\",\"retryable\":false}")
                .status()).isEqualTo(200);
        assertThat(status(id)).isEqualTo("dead");
        JsonNode dead = opsGet("/ops/dead-letters/" + id).json();
        assertThat(dead.path("lastError").asText()).isEqualTo("agent: UNKNOWN_SKU SKU A1 unknown");
        assertThat(dead.path("attemptHistory").get(1).path("errorMessage").asText()).isEqualTo("SKU A1 unknown");
        assertThat(calls(id)).hasSize(1);

        // Ops fix the catalog and replay: a new round, whose callback is not a contradiction of the last one's.
        assertThat(opsPost("/ops/dead-letters/" + id + "/replay", "{}").status()).isEqualTo(202);
        awaitStatus(id, "awaiting-callback");
        assertThat(callback(id, "\"status\":\"completed\",\"erpReference\":\"BL-AFTER-FIX\"").status()).isEqualTo(200);
        assertThat(receipt(id).path("result").path("erpReference").asText()).isEqualTo("BL-AFTER-FIX");
        assertThat(calls(id)).hasSize(2);
    }

    @Test
    void noCallbackInTimeIsAFailedAttemptRetriedThenDead() {
        String id = order("order-placed");
        // 3 attempts, each waiting 3 s for a callback that never comes.
        await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> assertThat(status(id)).isEqualTo("dead"));
        assertThat(calls(id)).hasSize(3);
        assertThat(attemptOutcomes(id)).containsExactly("awaiting-callback", "retry", "awaiting-callback", "retry", "awaiting-callback", "dead");
        assertThat(jdbc.queryForObject("SELECT last_error FROM message WHERE receipt_id = ?", String.class, id)).contains("no callback");
    }

    @Test
    void aCallbackThatOvertakesTheAgentsAnswerCounts() {
        AGENT.stubFor(post(urlPathEqualTo("/erp/orders")).willReturn(aResponse().withStatus(202).withFixedDelay(1500)));
        String id = order("order-placed");
        await().atMost(Duration.ofSeconds(10)).until(() -> !calls(id).isEmpty());
        HubClient.Res early = callback(id, "\"status\":\"completed\",\"erpReference\":\"BL-EARLY\"");
        assertThat(early.status()).as(early.toString()).isEqualTo(200);
        assertThat(early.json().path("outcome").asText()).isEqualTo("kept");
        awaitStatus(id, "delivered");
        assertThat(receipt(id).path("result").path("erpReference").asText()).isEqualTo("BL-EARLY");
        assertThat(calls(id)).hasSize(1);
    }

    @Test
    void callbacksForUnknownOrOtherVendorsOrdersAre404AndBadOnesA422() {
        String id = order("order-placed");
        awaitStatus(id, "awaiting-callback");
        assertThat(callback(UUID.randomUUID().toString(), "\"status\":\"completed\"").status()).isEqualTo(404);
        HubClient.Res other = agentPost("brewery", Keys.BREWERY_AGENT, "/callbacks", "{\"receiptId\":\"" + id + "\",\"status\":\"completed\"}");
        assertThat(other.status()).isEqualTo(404);
        HubClient.Res bad = callback(id, "\"status\":\"done\"");
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.json().path("errors").get(0).path("pointer").asText()).isEqualTo("/status");
        assertThat(hub().postJson("/agents/fresh-foods/callbacks", "{\"receiptId\":\"" + id + "\",\"status\":\"completed\"}",
                "X-API-Key", Keys.MARKET).status()).isEqualTo(403);
        assertThat(status(id)).isEqualTo("awaiting-callback");
    }

    @Test
    void ordersForAnAgentThatNeverRegisteredAreHeldWithoutAttemptsAndGoOutInReceiptOrderOnceItIs() {
        String first = order("order-to-brewery");
        String second = order("order-to-brewery");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(jdbc.queryForList(
                "SELECT parked_on FROM message WHERE receipt_id IN (?, ?) AND status = 'retrying' AND attempts = 0", String.class, first, second))
                .containsOnly("market/agent:brewery").hasSize(2));
        assertThat(AGENT.findAll(postRequestedFor(urlPathEqualTo("/brewery/orders")))).isEmpty();
        assertThat(opsGet("/ops/agents/brewery").json().path("pendingOrders").asLong()).isGreaterThanOrEqualTo(2);
        JsonNode brewery = java.util.stream.StreamSupport.stream(opsGet("/ops/partners").json().spliterator(), false)
                .filter(p -> p.path("partner").asText().equals("brewery")).findFirst().orElseThrow();
        assertThat(brewery.path("targets").toString()).contains("{\"name\":\"agent\",\"breaker\":\"CLOSED\",\"parked\":2}");

        AGENT.stubFor(post(urlPathEqualTo("/brewery/orders")).willReturn(aResponse().withStatus(202)));
        assertThat(agentPost("brewery", Keys.BREWERY_AGENT, "/register", "{\"agentUrl\":\"" + AGENT.baseUrl() + "/brewery\"}").status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(jdbc.queryForList(
                "SELECT status FROM message WHERE receipt_id IN (?, ?)", String.class, first, second)).containsOnly("awaiting-callback"));
        List<String> order = AGENT.findAll(postRequestedFor(urlPathEqualTo("/brewery/orders"))).stream()
                .map(r -> r.getHeader("Idempotency-Key")).filter(k -> k.equals(first) || k.equals(second)).toList();
        assertThat(order).containsExactly(first, second);
        assertThat(jdbc.queryForList("SELECT attempts FROM message WHERE receipt_id IN (?, ?)", Integer.class, first, second)).containsOnly(1);
    }
}
