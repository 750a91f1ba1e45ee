package dev.junction.logs;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.junction.support.HubClient;
import dev.junction.support.HubProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code JUNCTION_LOG_FORMAT=json} and {@code JUNCTION_LOG_MESSAGES=true}, the packaged hub writes one JSON object
 * per line, and every line of one message's life (taken in, the route's own log step, the failed first attempt, the
 * delivery) carries its receipt id, partner, event and correlation id as fields. A process of its own: the log format
 * is process-wide, and the lines are read from its real output.
 */
class StructuredLogsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "trace-key-1";

    @TempDir
    Path data;

    private final WireMockServer erp = new WireMockServer(options().dynamicPort());
    private HubProcess hub;

    @AfterEach
    void stop() throws InterruptedException {
        if (hub != null) {
            hub.close();
        }
        erp.stop();
    }

    @Test
    void everyLineOfAMessagesLifeCarriesItsReceiptPartnerEventAndCorrelationId() throws Exception {
        erp.start();
        erp.stubFor(post(urlPathEqualTo("/orders")).inScenario("flaky").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
        erp.stubFor(post(urlPathEqualTo("/orders")).inScenario("flaky").whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(200)));
        hub = HubProcess.start(data, Map.of(
                "JUNCTION_CONNECTORS_DIR", "src/test/resources/logs-it/connectors",
                "JUNCTION_ROUTES_DIR", "src/test/resources/logs-it/routes",
                "TRACE_ERP_URL", erp.baseUrl(),
                "JUNCTION_LOG_FORMAT", "json",
                "JUNCTION_LOG_MESSAGES", "true"));
        HubClient client = hub.client();

        HubClient.Res accepted = client.postJson("/webhooks/trace/order-created", "{\"orderId\":\"o-1\"}",
                "X-API-Key", KEY, "X-Correlation-Id", "corr-trace-1");
        assertThat(accepted.status()).isEqualTo(202);
        String receiptId = accepted.json().get("receiptId").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> "delivered".equals(
                client.get("/webhooks/trace/receipts/" + receiptId, "X-API-Key", KEY).json().path("status").asText()));
        erp.verify(2, postRequestedFor(urlPathEqualTo("/orders")));

        List<JsonNode> lines = await().atMost(Duration.ofSeconds(10)).until(() -> jsonLines(hub.output()),
                l -> l.stream().anyMatch(n -> n.path("message").asText().startsWith("Delivered receipt=" + receiptId)));
        List<JsonNode> ours = lines.stream().filter(n -> receiptId.equals(n.path("receiptId").asText(null))).toList();
        assertThat(ours).as("every line of the message's life names it").allSatisfy(n -> {
            assertThat(n.path("partner").asText()).isEqualTo("trace");
            assertThat(n.path("event").asText()).isEqualTo("order-created");
            assertThat(n.path("correlationId").asText()).isEqualTo("corr-trace-1");
            assertThat(n.hasNonNull("@timestamp")).isTrue();
            assertThat(n.hasNonNull("log.level") || n.path("log").hasNonNull("level")).isTrue();
        });
        List<String> messages = ours.stream().map(n -> n.path("message").asText()).toList();
        assertThat(messages).as("taken in, the route's own line on each attempt, the failed attempt, the delivery")
                .anyMatch(m -> m.startsWith("POST /webhooks/trace/order-created: 202 " + receiptId))
                .anyMatch(m -> m.startsWith("Delivery attempt failed, retrying: receipt=" + receiptId) && m.contains("status=503"))
                .anyMatch(m -> m.startsWith("Delivered receipt=" + receiptId));
        assertThat(messages.stream().filter(m -> m.equals("forwarding the order to the erp"))).hasSize(2);
        assertThat(lines.stream().filter(n -> n.path("message").asText().contains(receiptId)))
                .as("no line about the message without its fields").allSatisfy(n -> assertThat(n.path("receiptId").asText()).isEqualTo(receiptId));
    }

    /** Every line of the output that is a JSON object; the first lines before logging starts (the banner is off) may not be. */
    private static List<JsonNode> jsonLines(String output) {
        List<JsonNode> out = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("{")) {
                try {
                    out.add(JSON.readTree(line));
                } catch (Exception notJson) {
                    // A stray line (a JVM warning) is not ours to judge here.
                }
            }
        }
        return out;
    }
}
