package dev.junction.ops;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.junction.support.HubClient;
import dev.junction.support.Keys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The Grafana dashboard in ops/grafana reads only what the hub publishes: every metric name in every panel's and
 * variable's PromQL is in a real {@code /actuator/prometheus} scrape, taken after one partner's traffic of every kind
 * (delivered, retried then dead, parked behind the open breaker, an agent order called back, a reconciliation, a
 * sync job's page and a failing sync job). A renamed meter, or a typo in the JSON, leaves a panel silently empty in
 * Grafana; here it fails. Every panel also has a title and the templated datasource, and uses only declared variables.
 */
@AutoConfigureObservability(tracing = false)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "junction.ops-api-key=" + Keys.OPS,
        // Read before a DynamicPropertySource applies (Camel's route pattern is derived from it).
        "junction.routes-dir=src/test/resources/grafana/routes",
        "junction.delivery.poll-interval=100ms",
        "junction.sync.tick=200ms",
})
class GrafanaDashboardTest {

    static final Path DASHBOARD = Path.of("ops/grafana/junction-overview.json");
    static final String KEY = "beacon-key-1";
    static final String AGENT_TOKEN = "beacon-agent-token-1";
    static final String TRICKLE_KEY = "trickle-key-1";
    static final WireMockServer PARTNER = new WireMockServer(options().dynamicPort());
    static final ObjectMapper JSON = new ObjectMapper();

    /** Dashboard variables Grafana itself defines. */
    static final Set<String> BUILT_IN_VARIABLES = Set.of("__rate_interval", "__interval", "__range");

    @DynamicPropertySource
    static void hub(DynamicPropertyRegistry registry) throws IOException {
        if (!PARTNER.isRunning()) {
            PARTNER.start();
            PARTNER.stubFor(post(urlPathEqualTo("/erp/orders")).willReturn(aResponse().withStatus(200)));
            PARTNER.stubFor(any(urlPathEqualTo("/refusing/orders")).willReturn(aResponse().withStatus(503)));
            PARTNER.stubFor(post(urlPathEqualTo("/agent/orders")).willReturn(aResponse().withStatus(202)));
            // Reconciliation asks the agent for checksums: a failed run is a run the dashboard counts.
            PARTNER.stubFor(get(urlPathEqualTo("/agent/checksums")).willReturn(aResponse().withStatus(500)));
            PARTNER.stubFor(get(urlPathEqualTo("/catalog/products")).willReturn(okJson(
                    "{\"items\":[{\"id\":\"p1\",\"updatedAt\":\"2026-11-30T10:00:00Z\"}]}")));
            PARTNER.stubFor(get(urlPathEqualTo("/broken/products")).willReturn(aResponse().withStatus(500)));
            PARTNER.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().withStatus(500)));
        }
        Path dir = Files.createTempDirectory("junction-grafana");
        Path connectors = Files.createDirectories(dir.resolve("connectors"));
        Files.writeString(connectors.resolve("beacon.yaml"), """
                partner: beacon
                apiKeys:
                  - { id: primary, sha256: %s }
                rateLimit: { capacity: 100000, refillPerSecond: 100000 }
                retry: { maxAttempts: 3, initialDelay: 100ms, multiplier: 1, maxDelay: 100ms, jitter: 0 }
                agent:
                  vendorId: beacon-erp
                  tokens:
                    - { id: agent, sha256: %s }
                  heartbeat: { degradedAfter: 1m, offlineAfter: 5m }
                  orders: { callbackTimeout: 1m }
                events:
                  order-created: { route: beacon-delivered }
                  order-refused: { route: beacon-refused }
                  order-placed: { route: beacon-to-agent }
                  product-changed: { route: beacon-synced }
                targets:
                  erp: { url: "${BEACON_URL}/erp", timeout: 20s }
                  refusing:
                    url: ${BEACON_URL}/refusing
                    timeout: 20s
                    circuitBreaker: { failureRateThreshold: 50, slidingWindowSize: 2, waitInOpenState: 1h }
                  catalog: { url: "${BEACON_URL}/catalog", timeout: 20s }
                  broken: { url: "${BEACON_URL}/broken", timeout: 20s }
                syncJobs:
                  products:
                    schedule: 1h
                    event: product-changed
                    source:
                      http: { target: catalog, path: /products, pageSize: 5, records: $.items, cursor: $.updatedAt, id: $.id }
                  broken:
                    schedule: 1h
                    event: product-changed
                    source:
                      http: { target: broken, path: /products, pageSize: 5, records: $.items, cursor: $.updatedAt, id: $.id }
                """.formatted(Keys.sha256(KEY), Keys.sha256(AGENT_TOKEN)));
        // One request a day: its second is the intake's 429.
        Files.writeString(connectors.resolve("trickle.yaml"), """
                partner: trickle
                apiKeys:
                  - { id: primary, sha256: %s }
                rateLimit: { capacity: 1, refillPerSecond: 0.00001 }
                events:
                  order-created: { route: beacon-synced }
                """.formatted(Keys.sha256(TRICKLE_KEY)));
        registry.add("junction.connectors-dir", connectors::toString);
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + dir.resolve("junction") + ";WRITE_DELAY=0");
        registry.add("BEACON_URL", PARTNER::baseUrl);
        // Prometheus' key, as the runbook configures it: a read ops key.
        registry.add("junction.ops-keys[0].id", () -> "prometheus");
        registry.add("junction.ops-keys[0].sha256", () -> Keys.sha256(Keys.OPS_READ));
        registry.add("junction.ops-keys[0].role", () -> "read");
    }

    @AfterAll
    static void stop() {
        PARTNER.stop();
    }

    @LocalServerPort
    int port;

    @Test
    void everyMetricTheDashboardQueriesIsInTheScrape() throws IOException {
        Set<String> used = new TreeSet<>();
        queries(dashboard()).values().forEach(q -> used.addAll(metricNames(q)));
        assertThat(used).as("metric names read from the dashboard").hasSizeGreaterThan(20);

        produceEveryKindOfTraffic();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(scrapedNames()).as("the scrape holds every metric the dashboard queries").containsAll(used));
        // The intake panels select webhook answers by this uri: refusals by the filters in front of the intake carry it too.
        assertThat(scrape().body()).contains("status=\"401\",uri=\"/webhooks/{partner}/{event}\"",
                "status=\"429\",uri=\"/webhooks/{partner}/{event}\"", "status=\"202\",uri=\"/webhooks/{partner}/{event}\"");
    }

    @Test
    void everyPanelHasATitleTheTemplatedDatasourceAndOnlyDeclaredVariables() throws IOException {
        JsonNode dashboard = dashboard();
        Set<String> declared = new TreeSet<>(BUILT_IN_VARIABLES);
        dashboard.path("templating").path("list").forEach(v -> declared.add(v.path("name").asText()));
        assertThat(declared).contains("partner", "instance", "DS_PROMETHEUS");
        List<JsonNode> panels = panels(dashboard);
        assertThat(panels).hasSizeGreaterThan(15);
        for (JsonNode panel : panels) {
            String title = panel.path("title").asText();
            assertThat(title).as("panel %s has a title", panel.path("id")).isNotBlank();
            if ("row".equals(panel.path("type").asText())) {
                continue;
            }
            assertThat(panel.path("datasource").path("uid").asText()).as("%s: datasource", title).isEqualTo("${DS_PROMETHEUS}");
            assertThat(panel.path("targets")).as("%s: queries", title).isNotEmpty();
            panel.path("targets").forEach(t -> {
                assertThat(t.path("expr").asText()).as("%s: expr", title).isNotBlank();
                assertThat(t.path("datasource").path("uid").asText("${DS_PROMETHEUS}")).as("%s: target datasource", title)
                        .isEqualTo("${DS_PROMETHEUS}");
            });
        }
        queries(dashboard).forEach((where, query) ->
                assertThat(declared).as("%s uses only declared variables: %s", where, query).containsAll(variables(query)));
        assertThat(dashboard.path("__inputs").findValuesAsText("name")).contains("DS_PROMETHEUS");
    }

    @Test
    void metricNamesAreTheIdentifiersThatAreNeitherFunctionsNorLabels() {
        assertThat(metricNames("histogram_quantile(0.95, sum by (le, partner) (rate(junction_delivery_latency_seconds_bucket"
                + "{partner=~\"$partner\", instance=~\"$instance\"}[$__rate_interval])))"))
                .containsExactly("junction_delivery_latency_seconds_bucket");
        assertThat(metricNames("max by (partner) (junction_deadletters_depth{partner=~\"$partner\"}) > 0 or on() vector(0)"))
                .containsExactly("junction_deadletters_depth");
        assertThat(metricNames("sum(rate(a_total[5m])) / ignoring(outcome) group_left sum(b_sum offset 1h) and bool c"))
                .containsExactly("a_total", "b_sum", "c");
        assertThat(metricNames("label_values(junction_deadletters_depth{instance=~\"$instance\"}, partner)"))
                .containsExactly("junction_deadletters_depth");
        assertThat(metricNames("label_values(instance)")).isEmpty();
    }

    private void produceEveryKindOfTraffic() {
        HubClient hub = new HubClient(port);
        HubClient.Res registered = hub.postJson("/agents/beacon/register",
                "{\"agentUrl\":\"" + PARTNER.baseUrl() + "/agent\",\"erpType\":\"EBP\",\"version\":\"test\"}",
                "Authorization", "Bearer " + AGENT_TOKEN);
        assertThat(registered.status()).as(registered.toString()).isEqualTo(200);

        String delivered = send(hub, "order-created");
        String dead = send(hub, "order-refused");
        String order = send(hub, "order-placed");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(status(hub, delivered)).isEqualTo("delivered");
            assertThat(status(hub, dead)).isEqualTo("dead");
            assertThat(PARTNER.findAll(postRequestedFor(urlPathEqualTo("/agent/orders")))).isNotEmpty();
        });
        // The dead message's second and third calls (a first failure is forgiven) opened the refusing target's breaker:
        // the next message is parked, not attempted.
        send(hub, "order-refused");
        HubClient.Res callback = hub.postJson("/agents/beacon/callbacks",
                "{\"receiptId\":\"" + order + "\",\"status\":\"completed\",\"erpReference\":\"SO-1\"}",
                "Authorization", "Bearer " + AGENT_TOKEN);
        assertThat(callback.status()).as(callback.toString()).isBetween(200, 299);
        HubClient.Res reconcile = hub.post("/ops/erp/beacon/reconcile", "application/json", new byte[0], "X-API-Key", Keys.OPS);
        assertThat(reconcile.status()).as(reconcile.toString()).isEqualTo(202);
        // The startup run may have timed out on a cold WireMock; a run now pulls the page again (a duplicate if not).
        HubClient.Res run = hub.post("/ops/sync-jobs/beacon/products/run", "application/json", new byte[0], "X-API-Key", Keys.OPS);
        assertThat(run.status()).as(run.toString()).isIn(202, 409);
        // An unknown key and a partner over its limit: the intake's 4xx answers the dashboard counts.
        assertThat(hub.postJson("/webhooks/beacon/order-created", "{}", "X-API-Key", "nobody").status()).isEqualTo(401);
        assertThat(hub.postJson("/webhooks/trickle/order-created", "{}", "X-API-Key", TRICKLE_KEY).status()).isEqualTo(202);
        assertThat(hub.postJson("/webhooks/trickle/order-created", "{}", "X-API-Key", TRICKLE_KEY).status()).isEqualTo(429);
    }

    private static String send(HubClient hub, String event) {
        HubClient.Res res = hub.postJson("/webhooks/beacon/" + event, "{\"orderId\":\"" + UUID.randomUUID() + "\"}",
                "X-API-Key", KEY, "Idempotency-Key", UUID.randomUUID().toString());
        assertThat(res.status()).as(res.toString()).isEqualTo(202);
        return res.json().path("receiptId").asText();
    }

    private static String status(HubClient hub, String receiptId) {
        return hub.get("/webhooks/beacon/receipts/" + receiptId, "X-API-Key", KEY).json().path("status").asText();
    }

    /** The sample names of the scrape (a histogram's _bucket, _count, _sum; a counter's _total), as Prometheus stores them. */
    private Set<String> scrapedNames() {
        Set<String> names = new TreeSet<>();
        scrape().body().lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
                .forEach(l -> names.add(l.split("[{ ]", 2)[0]));
        return names;
    }

    /** What Prometheus gets, with a read ops key as its bearer token. */
    private HubClient.Res scrape() {
        HubClient.Res scrape = new HubClient(port).get("/actuator/prometheus", "Authorization", "Bearer " + Keys.OPS_READ);
        assertThat(scrape.status()).as(scrape.toString()).isEqualTo(200);
        return scrape;
    }

    static JsonNode dashboard() throws IOException {
        return JSON.readTree(DASHBOARD.toFile());
    }

    /** Every panel, rows' collapsed panels included. */
    static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> all = new ArrayList<>();
        dashboard.path("panels").forEach(p -> {
            all.add(p);
            p.path("panels").forEach(all::add);
        });
        return all;
    }

    /** Every PromQL query of the dashboard, by where it is: panels' targets and query variables. */
    static Map<String, String> queries(JsonNode dashboard) {
        Map<String, String> queries = new LinkedHashMap<>();
        for (JsonNode panel : panels(dashboard)) {
            panel.path("targets").forEach(t -> queries.put(panel.path("title").asText() + " " + t.path("refId").asText(),
                    t.path("expr").asText()));
        }
        dashboard.path("templating").path("list").forEach(v -> {
            JsonNode q = v.path("query");
            if ("query".equals(v.path("type").asText())) {
                queries.put("variable " + v.path("name").asText(), q.isObject() ? q.path("query").asText() : q.asText());
            }
        });
        return queries;
    }

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)[^}]*}|\\$(\\w+)");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*(?:([a-zA-Z_:][\\w:]*)[^,]*,)?\\s*\\w+\\s*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w:.$])([a-zA-Z_:][\\w:]*)(?![\\w:])(\\s*\\()?");
    /** PromQL words that are neither metrics nor functions (functions are told by their parenthesis). */
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "and", "or", "unless", "offset", "inf", "nan", "atan2");

    static Set<String> variables(String query) {
        Set<String> names = new TreeSet<>();
        Matcher m = VARIABLE.matcher(query);
        while (m.find()) {
            names.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        return names;
    }

    /**
     * The metric names in a PromQL expression (or a Grafana {@code label_values(metric, label)}): its identifiers,
     * once label matchers, strings, range and grouping clauses, variables, functions and keywords are taken out.
     */
    static Set<String> metricNames(String query) {
        Set<String> names = new TreeSet<>();
        Matcher lv = LABEL_VALUES.matcher(query);
        if (lv.find()) {
            if (lv.group(1) != null) {
                names.add(lv.group(1));
            }
            return names;
        }
        String bare = query.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
                .replaceAll("\\{[^}]*}", "")
                .replaceAll("\\[[^]]*]", "")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Matcher m = IDENTIFIER.matcher(bare);
        while (m.find()) {
            String word = m.group(1);
            if (m.group(2) == null && !KEYWORDS.contains(word.toLowerCase())) {
                names.add(word);
            }
        }
        return names;
    }
}
