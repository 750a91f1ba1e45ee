package dev.junction.sync.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.junction.support.HubClient;
import dev.junction.support.Keys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A whole hub pulling from a WireMock partner API through the real scheduler and runner: the first run (at startup)
 * commits page 1, then page 2 answers 500 and the run fails with the checkpoint at page 1; "run now" resumes from that
 * checkpoint, across a run of equal updatedAt values that spans the page boundary and a cursor with an offset, and
 * every record is journaled exactly once, keyed {@code <id>@<cursor>} with the source's own text. The target's token
 * goes out on every request and appears in no run error and no log line.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "junction.ops-api-key=" + Keys.OPS, "junction.sync.tick=200ms",
        // Read before a DynamicPropertySource applies (Camel's route pattern is derived from it).
        "junction.routes-dir=src/test/resources/sync-http/routes",
})
@ExtendWith(OutputCaptureExtension.class)
class HttpSyncEndToEndTest {

    static final String TOKEN = "catalog-token-5b1e9c";
    static final String T1 = "2026-11-30T10:00:00Z";
    static final String T2 = "2026-11-30T10:00:01.500Z";
    static final String T3 = "2026-11-30T11:00:02+01:00";
    static final WireMockServer API = new WireMockServer(options().dynamicPort());

    @DynamicPropertySource
    static void hub(DynamicPropertyRegistry registry) throws Exception {
        if (!API.isRunning()) {
            API.start();
            stubPages();
        }
        Path dir = Files.createTempDirectory("junction-http-sync");
        Path connectors = Files.createDirectories(dir.resolve("connectors"));
        Files.writeString(connectors.resolve("shop.yaml"), """
                partner: shop
                events:
                  product-changed: { route: shop-product }
                targets:
                  catalog:
                    url: ${SHOP_CATALOG_URL}
                    timeout: 5s
                    headers: { Authorization: "Bearer ${SHOP_CATALOG_TOKEN}" }
                syncJobs:
                  products:
                    schedule: 1h
                    event: product-changed
                    source:
                      http:
                        target: catalog
                        path: /products
                        params: { updated_since: "${cursor}", after_id: "${id}", limit: "${pageSize}" }
                        pageSize: 3
                        records: $.items
                        cursor: $.updatedAt
                        id: $.id
                """);
        registry.add("junction.connectors-dir", connectors::toString);
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + dir.resolve("junction") + ";WRITE_DELAY=0");
        registry.add("SHOP_CATALOG_URL", () -> API.baseUrl() + "/catalog");
        registry.add("SHOP_CATALOG_TOKEN", () -> TOKEN);
    }

    /** Page 1 from the start; page 2 after (T2, c) fails once, then answers; page 3 after (T3, f) is short. */
    private static void stubPages() {
        API.stubFor(page("", "").willReturn(okJson(items(p("a", T1), p("b", T1), p("c", T2)))));
        API.stubFor(page(T2, "c").inScenario("page 2").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(500).withBody("upstream down for " + TOKEN)).willSetStateTo("recovered"));
        API.stubFor(page(T2, "c").inScenario("page 2").whenScenarioStateIs("recovered")
                .willReturn(okJson(items(p("d", T2), p("e", T2), p("f", T3)))));
        API.stubFor(page(T3, "f").willReturn(okJson(items(p("g", T3)))));
    }

    /** The request for the page after (cursor, id), its parameters in any order. */
    private static MappingBuilder page(String cursor, String id) {
        return get(urlPathEqualTo("/catalog/products")).withQueryParam("updated_since", equalTo(cursor))
                .withQueryParam("after_id", equalTo(id)).withQueryParam("limit", equalTo("3"));
    }

    private static String p(String id, String updatedAt) {
        return "{\"id\":\"" + id + "\",\"name\":\"Product " + id + "\",\"updatedAt\":\"" + updatedAt + "\"}";
    }

    private static String items(String... products) {
        return "{\"items\":[" + String.join(",", products) + "]}";
    }

    @AfterAll
    static void stop() {
        API.stop();
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;

    private JsonNode runs() {
        HubClient.Res res = new HubClient(port).get("/ops/sync-jobs/shop/products/runs", "X-API-Key", Keys.OPS);
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        return res.json();
    }

    private static List<String> requested() {
        return API.getAllServeEvents().stream().map(e -> e.getRequest().getUrl()).toList();
    }

    private List<String> keys() {
        return jdbc.queryForList("SELECT idempotency_key FROM message WHERE partner = 'shop' AND event = 'product-changed'"
                + " ORDER BY idempotency_key", String.class);
    }

    @Test
    void aFailedPageIsPulledAgainByTheNextRunAndEveryRecordIsJournaledOnce(CapturedOutput output) {
        await().atMost(Duration.ofSeconds(30)).until(() -> runs().size() == 1 && !runs().get(0).path("finishedAt").isNull());
        JsonNode failed = runs().get(0);
        assertThat(failed.path("outcome").asText(failed.toString())).isEqualTo("failed");
        assertThat(failed.path("error").asText()).as("requests: %s", requested()).contains("shop/catalog answered HTTP 500").doesNotContain(TOKEN);
        assertThat(keys()).containsExactly("a@" + T1, "b@" + T1, "c@" + T2);

        HubClient.Res now = new HubClient(port).post("/ops/sync-jobs/shop/products/run", "application/json", new byte[0],
                "X-API-Key", Keys.OPS);
        assertThat(now.status()).as(now.toString()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(30)).until(() -> runs().size() == 2 && !runs().get(0).path("finishedAt").isNull());
        JsonNode resumed = runs().get(0);
        assertThat(resumed.path("outcome").asText(resumed.toString())).isEqualTo("completed");
        assertThat(keys()).containsExactly("a@" + T1, "b@" + T1, "c@" + T2, "d@" + T2, "e@" + T2, "f@" + T3, "g@" + T3);
        API.verify(4, getRequestedFor(urlPathEqualTo("/catalog/products")).withHeader("Authorization", equalTo("Bearer " + TOKEN)));
        assertThat(requested()).as("the cursor with an offset went out percent-encoded")
                .anyMatch(url -> url.contains("updated_since=2026-11-30T11%3A00%3A02%2B01%3A00"));
        assertThat(output.getAll()).doesNotContain(TOKEN);
    }
}
