package dev.junction.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.support.ErpHubTest;
import dev.junction.support.HubClient;
import dev.junction.support.Keys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * The round trip the README shows, with nothing stubbed: a shop's order goes through its route's {@code agent:} call to
 * the sandbox agent inside the hub, which books it and calls the hub back; the receipt ends {@code delivered} with the
 * ERP reference the agent booked.
 */
@TestPropertySource(properties = {
        "junction.sandbox.agent.enabled=true",
        "junction.sandbox.agent.token=" + Keys.FRESH_FOODS_AGENT,
        "junction.sandbox.agent.secret=" + SandboxOrderRoundTripTest.SECRET,
        "junction.sandbox.agent.booking-delay=300ms",
        "junction.sandbox.agent.heartbeat-every=1s",
        "FF_AGENT_SECRET=" + SandboxOrderRoundTripTest.SECRET,
})
class SandboxOrderRoundTripTest extends ErpHubTest {

    static final String SECRET = "round-trip-secret-1";

    @DynamicPropertySource
    static void h2(DynamicPropertyRegistry registry) throws Exception {
        Path dir = Files.createTempDirectory("junction-sandbox-round-trip");
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + dir.resolve("junction") + ";WRITE_DELAY=0");
    }

    @Test
    void anOrderGoesToTheSandboxAgentAndComesBackDeliveredWithItsErpReference() {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(opsGet("/ops/agents/fresh-foods").json().path("status").asText()).isEqualTo("online"));
        HubClient.Res accepted = hub().postJson("/webhooks/market/order-placed", "{\"orderId\":\"O-1\",\"lines\":[{\"sku\":\"ART-1001\",\"qty\":3}]}",
                "X-API-Key", Keys.MARKET, "Idempotency-Key", UUID.randomUUID().toString());
        assertThat(accepted.status()).isEqualTo(202);
        String id = accepted.json().path("receiptId").asText();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode receipt = hub().get("/webhooks/market/receipts/" + id, "X-API-Key", Keys.MARKET).json();
            assertThat(receipt.path("status").asText()).isEqualTo("delivered");
            assertThat(receipt.path("result").path("erpReference").asText()).startsWith("SBX-");
            assertThat(receipt.path("attempts").asInt()).isEqualTo(1);
        });
        assertThat(jdbc.queryForList("SELECT outcome FROM delivery_attempt WHERE receipt_id = ? ORDER BY id", String.class, id))
                .containsExactly("awaiting-callback", "delivered");
    }
}
