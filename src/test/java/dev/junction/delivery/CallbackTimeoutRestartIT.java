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
import dev.junction.support.HubClient;
import dev.junction.support.HubProcess;
import dev.junction.support.Keys;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The callback deadline is state in the database, not a timer in memory: an order awaiting its agent's callback when
 * the hub is killed (-9) still times out after the restart, exactly once, and goes out again with the same
 * Idempotency-Key. The packaged jar, the ERP test vendors (fresh-foods' callback timeout is 3 s), a WireMock agent.
 */
class CallbackTimeoutRestartIT {

    private static final String SECRET = "restart-secret-" + UUID.randomUUID();

    @TempDir
    Path data;

    private final WireMockServer agent = new WireMockServer(options().dynamicPort());
    private HubProcess hub;

    @BeforeEach
    void agentTakesOrders() {
        agent.start();
        agent.stubFor(post(urlPathEqualTo("/erp/orders")).willReturn(aResponse().withStatus(202)));
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (hub != null) {
            hub.close();
        }
        agent.stop();
    }

    private HubProcess startHub() {
        return HubProcess.start(data, Map.of(
                "JUNCTION_CONNECTORS_DIR", "src/test/resources/erp/connectors",
                "JUNCTION_ROUTES_DIR", "src/test/resources/erp/routes",
                "FF_AGENT_SECRET", SECRET));
    }

    private JsonNode receipt(String receiptId) {
        return hub.client().get("/webhooks/market/receipts/" + receiptId, "X-API-Key", Keys.MARKET).json();
    }

    private int calls(String receiptId) {
        return agent.findAll(postRequestedFor(urlPathEqualTo("/erp/orders")).withHeader("Idempotency-Key", equalTo(receiptId))).size();
    }

    @Test
    void aCallbackDeadlineSurvivesAKillAndFiresOnceAfterTheRestart() throws Exception {
        hub = startHub();
        HubClient.Res registered = hub.client().postJson("/agents/fresh-foods/register",
                "{\"agentUrl\":\"" + agent.baseUrl() + "/erp\"}", "Authorization", "Bearer " + Keys.FRESH_FOODS_AGENT);
        assertThat(registered.status()).as(registered.toString()).isEqualTo(200);
        HubClient.Res accepted = hub.client().postJson("/webhooks/market/order-placed", "{\"orderId\":\"K-1\"}",
                "X-API-Key", Keys.MARKET, "Idempotency-Key", UUID.randomUUID().toString());
        assertThat(accepted.status()).isEqualTo(202);
        String id = accepted.json().path("receiptId").asText();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> "awaiting-callback".equals(receipt(id).path("status").asText()));

        hub.kill9();
        assertThat(calls(id)).isEqualTo(1);
        hub = startHub();

        // After the restart the deadline (3 s) has passed: one failed attempt, then the order goes out again.
        await().atMost(Duration.ofSeconds(30)).until(() -> calls(id) == 2);
        await().atMost(Duration.ofSeconds(20)).until(() -> "awaiting-callback".equals(receipt(id).path("status").asText()));
        JsonNode second = receipt(id);
        assertThat(second.path("attempts").asInt()).as("exactly one timeout counted").isEqualTo(2);
        HubClient.Res done = hub.client().postJson("/agents/fresh-foods/callbacks",
                "{\"receiptId\":\"" + id + "\",\"status\":\"completed\",\"erpReference\":\"BL-AFTER-RESTART\"}",
                "Authorization", "Bearer " + Keys.FRESH_FOODS_AGENT);
        assertThat(done.status()).as(done.toString()).isEqualTo(200);
        JsonNode delivered = receipt(id);
        assertThat(delivered.path("status").asText()).isEqualTo("delivered");
        assertThat(delivered.path("attempts").asInt()).isEqualTo(2);
        assertThat(delivered.path("result").path("erpReference").asText()).isEqualTo("BL-AFTER-RESTART");
        assertThat(calls(id)).isEqualTo(2);
    }
}
