package dev.junction.routetest;

import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.request;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.junction.partner.Partner;
import dev.junction.partner.PartnerRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Runs every route test case of the shipped routes folder (routes/tests/<route id>/<case>/) against the real hub:
 * the shipped connectors and routes, one Spring context for all cases, each target pointed at one WireMock server
 * that records the requests. A case sends its input to the route as a delivery would and compares the requests the
 * targets received, in order, with expected.json. {@code -Djunction.fixtures.route=<route id>} runs one route's cases.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "junction.data-dir=target/route-fixtures-data-${random.uuid}", "junction.ops-api-key=route-fixtures-ops-key"})
class RouteFixturesTest {

    static final Path ROUTES = Path.of("routes");
    static final Path CONNECTORS = Path.of("connectors");

    /**
     * Shipped routes without cases, and why. An agent: call is answered by the vendor's agent's callback (tested in
     * sandbox.SandboxOrderRoundTripTest), not by a request a stub can record.
     */
    static final Map<String, String> WITHOUT_CASES = Map.of(
            "demo-vendor-order", "calls agent:, whose outcome is the agent's callback (sandbox.SandboxOrderRoundTripTest)");

    static final WireMockServer TARGETS = new WireMockServer(options().dynamicPort());
    static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    ProducerTemplate camel;

    @Autowired
    PartnerRegistry partners;

    @DynamicPropertySource
    static void targets(DynamicPropertyRegistry registry) throws IOException {
        if (!TARGETS.isRunning()) {
            TARGETS.start();
        }
        String connectors = stubbedConnectors(TARGETS.baseUrl()).toString();
        registry.add("junction.connectors-dir", () -> connectors);
        registry.add("junction.routes-dir", ROUTES::toString);
    }

    @AfterAll
    static void stop() {
        TARGETS.stop();
    }

    @TestFactory
    Stream<DynamicTest> everyCaseOfEveryShippedRoute() {
        String only = System.getProperty("junction.fixtures.route", "");
        List<RouteFixture> cases = RouteFixtures.load(ROUTES).stream()
                .filter(c -> only.isEmpty() || c.routeId().equals(only))
                .toList();
        assertThat(cases).as("route test cases" + (only.isEmpty() ? "" : " of route " + only)).isNotEmpty();
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.id(), c.dir().toUri(), () -> run(c)));
    }

    @Test
    void everyShippedRouteHasCasesOrSaysWhyNot() {
        List<String> withCases = RouteFixtures.load(ROUTES).stream().map(RouteFixture::routeId).distinct().toList();
        List<String> missing = new ArrayList<>(dev.junction.partner.RouteCheck.routeIds(ROUTES));
        missing.removeAll(withCases);
        missing.removeAll(WITHOUT_CASES.keySet());
        assertThat(missing).as("routes with no case in routes/tests/").isEmpty();
    }

    private void run(RouteFixture c) throws Exception {
        TARGETS.resetAll();
        TARGETS.stubFor(any(anyUrl()).atPriority(10).willReturn(okJson("{\"received\":true}")));
        for (RouteFixture.Response r : c.responses()) {
            TARGETS.stubFor(request(r.method(), urlEqualTo("/" + r.target() + r.path())).atPriority(1)
                    .willReturn(aResponse().withStatus(r.status()).withHeader("Content-Type", "application/json")
                            .withBody(r.body() == null ? "" : JSON.writeValueAsString(r.body()))));
        }
        String receiptId = UUID.nameUUIDFromBytes(c.id().getBytes(StandardCharsets.UTF_8)).toString();
        String correlationId = UUID.nameUUIDFromBytes(("correlation " + c.id()).getBytes(StandardCharsets.UTF_8)).toString();
        Optional<String[]> event = eventOf(c.routeId());
        // The exchange a delivery gives the route (delivery.Dispatcher): the payload as text and these headers.
        Exchange result = camel.send("direct:" + c.routeId(), exchange -> {
            exchange.setProperty("JunctionReceiptId", receiptId);
            exchange.setProperty("JunctionAttempt", 1);
            exchange.getIn().setBody(JSON.writeValueAsString(c.input()));
            exchange.getIn().setHeader("Content-Type", "application/json");
            exchange.getIn().setHeader("Idempotency-Key", receiptId);
            exchange.getIn().setHeader("X-Correlation-Id", correlationId);
            exchange.getIn().setHeader("JunctionPartner", event.map(e -> e[0]).orElse(""));
            exchange.getIn().setHeader("JunctionEvent", event.map(e -> e[1]).orElse(""));
            c.headers().forEach(exchange.getIn()::setHeader);
        });
        JsonExpectation.Ids ids = new JsonExpectation.Ids(
                result.getIn().getHeader("Idempotency-Key", receiptId, String.class), correlationId);
        List<JsonNode> received = received();
        if (result.getException() != null) {
            throw new AssertionError(c.id() + ": the route failed: " + result.getException()
                    + "\nthe targets received: " + received, result.getException());
        }
        String diff = difference(c.expected(), received, ids);
        if (diff != null) {
            throw new AssertionError(c.id() + ": " + diff + "\n  expected.json: " + c.dir().resolve("expected.json")
                    + "\n  the targets received: " + JSON.writerWithDefaultPrettyPrinter().writeValueAsString(received));
        }
    }

    /** The first difference, as {@code <pointer into expected.json>: expected ..., received ...}, or null. */
    private static String difference(List<RouteFixture.Request> expected, List<JsonNode> received, JsonExpectation.Ids ids) {
        for (int i = 0; i < Math.min(expected.size(), received.size()); i++) {
            JsonNode want = JSON.valueToTree(expected.get(i));
            ((ObjectNode) want).remove("body");
            JsonNode got = received.get(i).deepCopy();
            ObjectNode gotHeaders = (ObjectNode) got.get("headers");
            ObjectNode wantHeaders = (ObjectNode) want.get("headers");
            // Headers are a subset, their names case-insensitive: compare only the ones the case names.
            ObjectNode picked = JSON.createObjectNode();
            wantHeaders.fieldNames().forEachRemaining(name -> gotHeaders.fieldNames().forEachRemaining(h -> {
                if (h.equalsIgnoreCase(name)) {
                    picked.set(name, gotHeaders.get(h));
                }
            }));
            ((ObjectNode) got).set("headers", picked);
            JsonNode gotBody = ((ObjectNode) got).remove("body");
            String diff = JsonExpectation.firstDifference(want, got, "/" + i, ids);
            if (diff == null && expected.get(i).body() != null) {
                diff = JsonExpectation.firstDifference(expected.get(i).body(), gotBody, "/" + i + "/body", ids);
            }
            if (diff != null) {
                return diff;
            }
        }
        if (expected.size() != received.size()) {
            return "expected " + expected.size() + " requests, the targets received " + received.size()
                    + (received.size() > expected.size() ? "; the first unexpected: " + received.get(expected.size()) : "");
        }
        return null;
    }

    /** The requests the targets received, oldest first, as {target, method, path, headers, body}. */
    private static List<JsonNode> received() {
        List<ServeEvent> events = new ArrayList<>(TARGETS.getAllServeEvents());
        Collections.reverse(events); // WireMock lists the newest first
        List<JsonNode> requests = new ArrayList<>();
        for (ServeEvent e : events) {
            LoggedRequest r = e.getRequest();
            String[] parts = r.getUrl().split("/", 4); // "", partner, target, the rest
            ObjectNode node = JSON.createObjectNode()
                    .put("target", parts[1] + "/" + parts[2])
                    .put("method", r.getMethod().value())
                    .put("path", "/" + (parts.length > 3 ? parts[3] : ""));
            ObjectNode headers = node.putObject("headers");
            r.getHeaders().all().forEach(h -> headers.put(h.key(), h.firstValue()));
            try {
                node.set("body", JSON.readTree(r.getBodyAsString()));
            } catch (IOException notJson) {
                node.put("body", r.getBodyAsString());
            }
            requests.add(node);
        }
        return requests;
    }

    private Optional<String[]> eventOf(String routeId) {
        for (Partner p : partners.all()) {
            for (var e : p.events().values()) {
                if (e.route().equals(routeId)) {
                    return Optional.of(new String[] {p.id(), e.name()});
                }
            }
        }
        return Optional.empty();
    }

    /**
     * A copy of the shipped connectors whose every target points at the recording server, under
     * {@code /<partner>/<target>}; sync jobs are left out, so nothing but the cases calls a target.
     */
    static Path stubbedConnectors(String baseUrl) throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        Path dir = Files.createTempDirectory("route-fixtures-connectors");
        try (Stream<Path> files = Files.list(CONNECTORS)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                ObjectNode descriptor = (ObjectNode) yaml.readTree(file.toFile());
                descriptor.remove("syncJobs");
                String partner = descriptor.path("partner").asText();
                // A stub on this machine answers in milliseconds; a long timeout keeps a busy build machine from
                // failing a case that no target could time out.
                descriptor.path("targets").fields().forEachRemaining(t -> ((ObjectNode) t.getValue())
                        .put("url", baseUrl + "/" + partner + "/" + t.getKey()).put("timeout", "60s"));
                yaml.writeValue(dir.resolve(file.getFileName()).toFile(), descriptor);
            }
        }
        return dir;
    }
}
