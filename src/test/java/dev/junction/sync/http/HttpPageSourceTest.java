package dev.junction.sync.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.junction.delivery.Breakers;
import dev.junction.delivery.TargetHttpException;
import dev.junction.partner.Partner;
import dev.junction.partner.PartnerRegistry;
import dev.junction.partner.SyncJob;
import dev.junction.sync.Checkpoint;
import dev.junction.sync.Page;
import dev.junction.sync.PulledRecord;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The HTTP source against a WireMock partner API over real HTTP, through the partner's target as the hub loads it:
 * the query it sends on a first run, a lookback and a resume; the target's headers with a secret resolved from a
 * property, which no failure message or log line repeats; every way a page can be wrong, each named; the breaker that
 * deliveries share, opening and refusing without a request; the target's timeout.
 */
@SpringBootTest(classes = SourceHub.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = {"logging.level.dev.junction=DEBUG", "junction.routes-dir=" + SourceHub.ROUTES})
@ExtendWith(OutputCaptureExtension.class)
class HttpPageSourceTest {

    static final String SECRET = "s3cr3t-supplier-token-7f2a";
    static final WireMockServer API = new WireMockServer(options().dynamicPort());

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) throws Exception {
        if (!API.isRunning()) {
            API.start();
        }
        registry.add("SUPPLIER_URL", API::baseUrl);
        registry.add("SUPPLIER_TOKEN", () -> SECRET);
        String connectors = SourceHub.connectors("""
                  catalog:
                    url: ${SUPPLIER_URL}/api/
                    timeout: 5s
                    headers: { Authorization: "Bearer ${SUPPLIER_TOKEN}", X-Tenant: t-1 }
                  flaky:
                    url: ${SUPPLIER_URL}/flaky
                    timeout: 5s
                    headers: { Authorization: "Bearer ${SUPPLIER_TOKEN}" }
                    circuitBreaker: { failureRateThreshold: 50, slidingWindowSize: 4, waitInOpenState: 1h }
                  slow:
                    url: ${SUPPLIER_URL}/slow
                    timeout: 300ms
                    headers: { Authorization: "Bearer ${SUPPLIER_TOKEN}" }
                  recovering:
                    url: ${SUPPLIER_URL}/recovering
                    timeout: 5s
                    circuitBreaker: { failureRateThreshold: 50, slidingWindowSize: 2, waitInOpenState: 300ms }
                  unset:
                    url: ${SUPPLIER_URL}/unset
                    headers: { Authorization: "Bearer ${SUPPLIER_UNSET_TOKEN}" }
                """).toString();
        registry.add("junction.connectors-dir", () -> connectors);
    }

    @AfterAll
    static void stop() {
        API.stop();
    }

    @Autowired
    HttpPageSource source;
    @Autowired
    PartnerRegistry partners;
    @Autowired
    Breakers breakers;

    Partner partner;

    @BeforeEach
    void setUp() {
        API.resetAll();
        partner = SourceHub.partner(partners);
    }

    @AfterEach
    void noSecretAnywhere(CapturedOutput output) {
        assertThat(output.getAll()).doesNotContain(SECRET);
    }

    private static String page(String... records) {
        return "{\"items\":[" + String.join(",", records) + "]}";
    }

    private static String product(String id, String updatedAt) {
        return "{\"id\":\"" + id + "\",\"name\":\"Product " + id + "\",\"price\":12.50,\"updatedAt\":\"" + updatedAt + "\"}";
    }

    private Page fetch(String target, Checkpoint from) throws Exception {
        return source.fetch(partner, SourceHub.job(target, SourceHub.standardParams(), 3), from);
    }

    private Page fetchCatalog(String body, Checkpoint from) throws Exception {
        API.stubFor(get(urlPathEqualTo("/api/products")).willReturn(okJson(body)));
        return fetch("catalog", from);
    }

    private String rawQuery() {
        List<LoggedRequest> requests = API.findAll(getRequestedFor(urlPathEqualTo("/api/products")));
        assertThat(requests).hasSize(1);
        String url = requests.get(0).getUrl();
        return url.substring(url.indexOf('?') + 1);
    }

    @Test
    void readsHttpSourcesOnly() {
        assertThat(source.reads(new SyncJob.HttpSource("catalog", "/p", Map.of(), 10, "$.items", "$.u", "$.id"))).isTrue();
        assertThat(source.reads(new SyncJob.SqlSource("legacy", "SELECT 1", 10, "u", "id"))).isFalse();
        assertThat(source.reads(new SyncJob.KafkaSource("t", "g"))).isFalse();
    }

    @Test
    void firstRunSendsEmptyCursorAndIdWithTheTargetsHeadersResolved() throws Exception {
        fetchCatalog(page(), Checkpoint.START);

        assertThat(rawQuery()).isEqualTo("updated_since=&after_id=&limit=3");
        LoggedRequest request = API.findAll(getRequestedFor(urlPathEqualTo("/api/products"))).get(0);
        assertThat(request.getHeader("Authorization")).isEqualTo("Bearer " + SECRET);
        assertThat(request.getHeader("X-Tenant")).isEqualTo("t-1");
        assertThat(request.getHeader("Accept")).isEqualTo("application/json");
        assertThat(request.getMethod().getName()).isEqualTo("GET");
    }

    @Test
    void resumeSendsTheCheckpointPercentEncoded() throws Exception {
        fetchCatalog(page(), new Checkpoint("2026-11-30T10:00:00.120+01:00", "p 7&x=1"));

        assertThat(rawQuery()).isEqualTo("updated_since=2026-11-30T10%3A00%3A00.120%2B01%3A00&after_id=p%207%26x%3D1&limit=3");
        API.verify(getRequestedFor(urlPathEqualTo("/api/products"))
                .withQueryParam("updated_since", equalTo("2026-11-30T10:00:00.120+01:00"))
                .withQueryParam("after_id", equalTo("p 7&x=1")));
    }

    @Test
    void lookbackSendsTheCursorAndAnEmptyId() throws Exception {
        fetchCatalog(page(), new Checkpoint("2026-11-30T09:58:00Z", null));

        assertThat(rawQuery()).isEqualTo("updated_since=2026-11-30T09%3A58%3A00Z&after_id=&limit=3");
    }

    @Test
    void placeholdersRenderInsideLargerValuesAndAfterAPathQuery() throws Exception {
        API.stubFor(get(urlPathEqualTo("/api/v2/products")).willReturn(okJson(page())));
        SyncJob job = new SyncJob("products", null, 1, "product-changed", java.time.Duration.ZERO,
                new SyncJob.HttpSource("catalog", "/v2/products?sort=updated", new java.util.LinkedHashMap<>(Map.of(
                        "filter", "updatedAt>=${cursor}")), 50, "$.items", "$.updatedAt", "$.id"));

        source.fetch(partner, job, new Checkpoint("42", "7"));

        String url = API.findAll(getRequestedFor(urlPathEqualTo("/api/v2/products"))).get(0).getUrl();
        assertThat(url).isEqualTo("/api/v2/products?sort=updated&filter=updatedAt%3E%3D42");
    }

    @Test
    void recordsKeepTheirJsonAndTheSourcesCursorText() throws Exception {
        Page page = fetchCatalog(page(product("p-1", "2026-11-30T10:00:00.120Z"), product("p-2", "2026-11-30T10:00:00.120Z")),
                Checkpoint.START);

        assertThat(page.records()).extracting(PulledRecord::id, PulledRecord::cursor).containsExactly(
                org.assertj.core.groups.Tuple.tuple("p-1", "2026-11-30T10:00:00.120Z"),
                org.assertj.core.groups.Tuple.tuple("p-2", "2026-11-30T10:00:00.120Z"));
        assertThat(new String(page.records().get(0).json(), StandardCharsets.UTF_8))
                .isEqualTo("{\"id\":\"p-1\",\"name\":\"Product p-1\",\"price\":12.50,\"updatedAt\":\"2026-11-30T10:00:00.120Z\"}");
        assertThat(page.last()).as("2 records on a page of 3").isTrue();
    }

    @Test
    void aFullPageIsNotTheLast() throws Exception {
        Page page = fetchCatalog(page(product("a", "2026-11-30T10:00:00Z"), product("b", "2026-11-30T10:00:00Z"),
                product("c", "2026-11-30T10:00:01Z")), Checkpoint.START);

        assertThat(page.records()).hasSize(3);
        assertThat(page.last()).isFalse();
    }

    @Test
    void numericCursorsAndIdsArePlainDecimalText() throws Exception {
        Page page = fetchCatalog(page("{\"id\":7,\"updatedAt\":1e3}", "{\"id\":8,\"updatedAt\":1000.50}",
                "{\"id\":12345678901234567890,\"updatedAt\":20000000000000000000001}"), Checkpoint.START);

        assertThat(page.records()).extracting(PulledRecord::cursor).containsExactly("1000", "1000.5", "20000000000000000000001");
        assertThat(page.records()).extracting(PulledRecord::id).containsExactly("7", "8", "12345678901234567890");
    }

    @Test
    void anErrorStatusNamesIt() {
        API.stubFor(get(urlPathEqualTo("/api/products")).willReturn(aResponse().withStatus(404).withBody("no such page")));

        assertThatThrownBy(() -> fetch("catalog", Checkpoint.START))
                .isInstanceOf(TargetHttpException.class)
                .hasMessageContaining("supplier/catalog answered HTTP 404")
                .satisfies(e -> assertThat(((TargetHttpException) e).status()).isEqualTo(404));
    }

    @Test
    void anErrorPageThatEchoesTheTokenDoesNotCarryItIntoTheMessage() {
        API.stubFor(get(urlPathEqualTo("/api/products")).willReturn(aResponse().withStatus(401)
                .withBody("{\"error\":\"token " + SECRET + " expired\",\"sent\":\"Bearer " + SECRET + "\"}")));

        assertThatThrownBy(() -> fetch("catalog", Checkpoint.START))
                .isInstanceOf(TargetHttpException.class)
                .hasMessageContaining("supplier/catalog answered HTTP 401")
                .hasMessageContaining("token [redacted] expired")
                .message().doesNotContain(SECRET);
    }

    @Test
    void aBodyThatIsNotJsonIsNamed() {
        API.stubFor(get(urlPathEqualTo("/api/products")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/html").withBody("<html>maintenance</html>")));

        assertThatThrownBy(() -> fetch("catalog", Checkpoint.START))
                .isInstanceOf(BadPageException.class)
                .hasMessageStartingWith("supplier/products: the page is not JSON");
    }

    @Test
    void anEmptyBodyIsNamed() {
        API.stubFor(get(urlPathEqualTo("/api/products")).willReturn(aResponse().withStatus(200)));

        assertThatThrownBy(() -> fetch("catalog", Checkpoint.START))
                .isInstanceOf(BadPageException.class)
                .hasMessage("supplier/products: the page is empty, not JSON");
    }

    @Test
    void recordsPathThatDoesNotResolveIsNamed() {
        assertThatThrownBy(() -> fetchCatalog("{\"data\":[]}", Checkpoint.START))
                .isInstanceOf(BadPageException.class)
                .hasMessage("supplier/products: records $.items is not in the page");
    }

    @Test
    void recordsPathOnSomethingElseThanAnArrayIsNamed() {
        assertThatThrownBy(() -> fetchCatalog("{\"items\":{\"id\":\"p-1\"}}", Checkpoint.START))
                .isInstanceOf(BadPageException.class)
                .hasMessage("supplier/products: records $.items is an object in the page, not an array");
    }

    @Test
    void aRecordThatIsNotAnObjectIsNamedByIndex() {
        assertThatThrownBy(() -> fetchCatalog(page(product("a", "2026-11-30T10:00:00Z"), "\"b\""), Checkpoint.START))
                .isInstanceOf(BadPageException.class)
                .hasMessage("supplier/products: record 1 of the page is a string, not a JSON object");
    }

    @Test
    void aRecordWithoutCursorIsNamedByIndexAndPath() {
        assertThatThrownBy(() -> fetchCatalog(page(product("a", "2026-11-30T10:00:00Z"), "{\"id\":\"b\"}"), Checkpoint.START))
                .isInstanceOf(BadPageException.class)
                .hasMessage("supplier/products: record 1 has no cursor at $.updatedAt");
        assertThatThrownBy(() -> fetchCatalog(page("{\"id\":\"b\",\"updatedAt\":null}"), Checkpoint.START))
                .hasMessage("supplier/products: record 0 has no cursor at $.updatedAt");
    }

    @Test
    void aCursorThatIsNeitherTimestampNorNumberIsNamed() {
        assertThatThrownBy(() -> fetchCatalog(page(product("a", "yesterday")), Checkpoint.START))
                .isInstanceOf(BadPageException.class)
                .hasMessage("supplier/products: record 0's cursor at $.updatedAt is \"yesterday\", neither an ISO-8601 timestamp string nor a number");
        assertThatThrownBy(() -> fetchCatalog(page("{\"id\":\"a\",\"updatedAt\":true}"), Checkpoint.START))
                .hasMessage("supplier/products: record 0's cursor at $.updatedAt is true, neither an ISO-8601 timestamp string nor a number");
    }

    @Test
    void aRecordWithoutIdIsNamed() {
        assertThatThrownBy(() -> fetchCatalog(page("{\"updatedAt\":\"2026-11-30T10:00:00Z\"}"), Checkpoint.START))
                .isInstanceOf(BadPageException.class)
                .hasMessage("supplier/products: record 0 has no id at $.id");
        assertThatThrownBy(() -> fetchCatalog(page("{\"id\":\" \",\"updatedAt\":\"2026-11-30T10:00:00Z\"}"), Checkpoint.START))
                .hasMessage("supplier/products: record 0's id at $.id is \" \", neither a non-blank string nor a number");
    }

    @Test
    void recordsOutOfCursorOrderAreRefused() {
        assertThatThrownBy(() -> fetchCatalog(page(product("a", "2026-11-30T10:00:02Z"), product("b", "2026-11-30T10:00:01Z")),
                Checkpoint.START))
                .isInstanceOf(BadPageException.class)
                .hasMessageStartingWith("supplier/products: record 1's cursor 2026-11-30T10:00:01Z is before the previous record's 2026-11-30T10:00:02Z");
    }

    @Test
    void aSourceThatAnswersRecordsBeforeTheCheckpointIsRefused() {
        // 11:00+01:00 is 10:00Z: a record of 09:59Z means the source ignored updated_since.
        assertThatThrownBy(() -> fetchCatalog(page(product("a", "2026-11-30T09:59:00Z")), new Checkpoint("2026-11-30T11:00:00+01:00", "z")))
                .isInstanceOf(BadPageException.class)
                .hasMessageStartingWith("supplier/products: record 0's cursor 2026-11-30T09:59:00Z is before the checkpoint's 2026-11-30T11:00:00+01:00");
    }

    @Test
    void anUnresolvedPlaceholderIsNamedWithoutCallingAndWithoutValues() {
        SyncJob job = SourceHub.job("unset", SourceHub.standardParams(), 3);

        assertThatThrownBy(() -> source.fetch(partner, job, Checkpoint.START))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("supplier/unset: ")
                .hasMessageContaining("SUPPLIER_UNSET_TOKEN");
        assertThat(API.getAllServeEvents()).isEmpty();
    }

    @Test
    void aRefusedConnectionNamesJobAndTarget() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Partner elsewhere = new Partner(partner.id(), partner.displayName(), partner.apiKeys(), partner.rateLimit(), partner.maxBodyBytes(),
                partner.retry(), partner.delivery(), partner.events(), Map.of("catalog", new Partner.Target("catalog",
                "http://127.0.0.1:" + closed, java.time.Duration.ofSeconds(2), Map.of(), Partner.CircuitBreakerSpec.DEFAULT)),
                partner.agent(), partner.syncJobs());

        assertThatThrownBy(() -> source.fetch(elsewhere, SourceHub.job("catalog", SourceHub.standardParams(), 3), Checkpoint.START))
                .isInstanceOf(java.io.IOException.class)
                .hasMessageStartingWith("supplier/products: GET /products on target catalog failed: ConnectException");
    }

    @Test
    void theTargetsTimeoutIsHonoured() {
        API.stubFor(get(urlPathEqualTo("/slow/products")).willReturn(okJson(page()).withFixedDelay(5_000)));

        assertThatThrownBy(() -> fetch("slow", Checkpoint.START))
                .isInstanceOf(HttpTimeoutException.class)
                .hasMessage("supplier/products: target slow did not answer within PT0.3S (GET /products)");
    }

    @Test
    void failuresOpenTheBreakerDeliveriesShareAndThenNoRequestIsMade() {
        API.stubFor(get(urlPathEqualTo("/flaky/products")).willReturn(aResponse().withStatus(503)));

        for (int i = 0; i < 4; i++) {
            assertThatThrownBy(() -> fetch("flaky", Checkpoint.START))
                    .isInstanceOf(TargetHttpException.class)
                    .hasMessageContaining("HTTP 503");
        }
        assertThat(breakers.states(SourceHub.PARTNER)).containsEntry("flaky", "OPEN");

        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> fetch("flaky", Checkpoint.START))
                    .hasMessage("circuit breaker open for supplier/flaky");
        }
        API.verify(4, getRequestedFor(urlPathEqualTo("/flaky/products")));
        assertThat(breakers.states(SourceHub.PARTNER)).containsEntry("catalog", "CLOSED");
    }

    @Test
    void aSourceOnlyTargetHalfOpensToItsPullsAndClosesWhenTheyPass() throws Exception {
        API.stubFor(get(urlPathEqualTo("/recovering/products")).willReturn(aResponse().withStatus(500)));
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> fetch("recovering", Checkpoint.START)).isInstanceOf(TargetHttpException.class);
        }
        assertThat(breakers.states(SourceHub.PARTNER)).containsEntry("recovering", "OPEN");
        API.stubFor(get(urlPathEqualTo("/recovering/products")).willReturn(okJson(page())));

        // No message is parked on this target to be a trial: the pulls themselves must be, or it never closes.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> breakers.states(SourceHub.PARTNER).get("recovering"), "HALF_OPEN"::equals);
        fetch("recovering", Checkpoint.START);
        fetch("recovering", Checkpoint.START);

        assertThat(breakers.states(SourceHub.PARTNER)).containsEntry("recovering", "CLOSED");
        API.verify(4, getRequestedFor(urlPathEqualTo("/recovering/products")));
    }
}
