package dev.junction.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.JunctionProperties;
import dev.junction.problem.ProblemException;
import dev.junction.support.HubClient;
import dev.junction.support.HubTest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

/**
 * The sandbox catalog over real HTTP in a whole hub: paged exactly as a sync job reads it, (updatedAt, id) after the
 * checkpoint, across runs of equal updatedAt values; touch makes a new version after every checkpoint; bad parameters
 * are 400 problems naming the parameter.
 */
@DirtiesContext
@TestPropertySource(properties = "junction.data-dir=target/sandbox-catalog-test-data-${random.uuid}")
class SandboxCatalogTest extends HubTest {

    record Item(String id, String updatedAt) {}

    private HubClient.Res page(String updatedSince, String afterId, String limit) {
        return hub().get("/sandbox/catalog/products?updated_since=" + encode(updatedSince) + "&after_id=" + encode(afterId)
                + "&limit=" + encode(limit));
    }

    private List<Item> items(HubClient.Res res) {
        assertThat(res.status()).as(res.body()).isEqualTo(200);
        List<Item> items = new ArrayList<>();
        for (JsonNode n : res.json().path("items")) {
            items.add(new Item(n.path("id").asText(), n.path("updatedAt").asText()));
        }
        return items;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** A sync job's loop: each page after the last record's (updatedAt, id), until a short page. */
    private List<Item> pullAll(int limit, Item from) {
        List<Item> pulled = new ArrayList<>();
        List<Item> page;
        int requests = 0;
        do {
            assertThat(++requests).as("limit %d: the pull ends", limit).isLessThanOrEqualTo(SandboxProducts.COUNT + 1);
            page = items(page(from == null ? "" : from.updatedAt(), from == null ? "" : from.id(), Integer.toString(limit)));
            pulled.addAll(page);
            if (!page.isEmpty()) {
                from = page.get(page.size() - 1);
            }
        } while (page.size() == limit);
        return pulled;
    }

    @Test
    void pagingReturnsEveryProductExactlyOnceInUpdatedAtIdOrderWhateverTheLimit() {
        for (int limit : new int[] {1, 3, 4, 7, 50, 500}) {
            List<Item> pulled = pullAll(limit, null);

            assertThat(pulled).as("limit %d", limit).hasSize(SandboxProducts.COUNT);
            assertThat(pulled.stream().map(Item::id).distinct()).as("limit %d", limit).hasSize(SandboxProducts.COUNT);
            for (int i = 1; i < pulled.size(); i++) {
                Item a = pulled.get(i - 1);
                Item b = pulled.get(i);
                int byTime = Instant.parse(a.updatedAt()).compareTo(Instant.parse(b.updatedAt()));
                assertThat(byTime < 0 || byTime == 0 && a.id().compareTo(b.id()) < 0).as("%s before %s", a, b).isTrue();
            }
        }
        Set<String> times = new HashSet<>();
        pullAll(500, null).forEach(i -> times.add(i.updatedAt()));
        assertThat(times.size()).as("products share updatedAt values").isLessThanOrEqualTo(SandboxProducts.COUNT / 3);
    }

    @Test
    void aFirstRunsEmptyParametersMeanFromTheStart() {
        List<Item> first = items(page("", "", "10"));

        assertThat(first).hasSize(10);
        assertThat(first.get(0).updatedAt()).isEqualTo(SandboxProducts.FIRST_UPDATE.toString());
    }

    @Test
    void aLookbackWithoutAfterIdReadsTheWholeRunAtThatTime() {
        String minuteOne = SandboxProducts.FIRST_UPDATE.plusSeconds(60).toString();

        List<Item> page = items(page(minuteOne, "", "4"));

        assertThat(page).extracting(Item::id).containsExactly("p-005", "p-006", "p-007", "p-008");
        assertThat(items(page(minuteOne, "p-006", "4"))).extracting(Item::id).containsExactly("p-007", "p-008", "p-009", "p-010");
        assertThat(items(page("2026-11-02T09:01:00+01:00", "p-006", "2"))).as("an offset is the same instant")
                .extracting(Item::id).containsExactly("p-007", "p-008");
    }

    @Test
    void limitIsClampedToOneToFiveHundred() {
        assertThat(items(page("", "", "0"))).hasSize(1);
        assertThat(items(page("", "", "-5"))).hasSize(1);
        assertThat(items(page("", "", "100000"))).hasSize(SandboxProducts.COUNT);
        assertThat(items(hub().get("/sandbox/catalog/products"))).as("default 100").hasSize(SandboxProducts.COUNT);
    }

    @Test
    void badParametersAreProblemsNamingThem() {
        HubClient.Res since = page("yesterday", "", "10");
        assertThat(since.status()).isEqualTo(400);
        assertThat(since.header("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
        assertThat(since.json().path("detail").asText()).startsWith("updated_since must be an ISO-8601 timestamp").contains("'yesterday'");

        HubClient.Res limit = page("", "", "ten");
        assertThat(limit.status()).isEqualTo(400);
        assertThat(limit.json().path("detail").asText()).startsWith("limit must be a whole number");

        HubClient.Res afterId = page("", "p-003", "10");
        assertThat(afterId.status()).isEqualTo(400);
        assertThat(afterId.json().path("detail").asText()).startsWith("after_id needs updated_since");
    }

    @Test
    void touchMakesANewVersionThatTheNextPullAfterTheCheckpointReturnsOnce() {
        List<Item> all = pullAll(500, null);
        Item checkpoint = all.get(all.size() - 1);
        Item before = all.stream().filter(i -> i.id().equals("p-002")).findFirst().orElseThrow();

        HubClient.Res touched = hub().postJson("/sandbox/catalog/products/p-002/touch", "");

        assertThat(touched.status()).isEqualTo(200);
        JsonNode product = touched.json();
        assertThat(product.path("id").asText()).isEqualTo("p-002");
        assertThat(product.path("name").asText()).isNotBlank();
        assertThat(product.path("price").isNumber()).isTrue();
        assertThat(Instant.parse(product.path("updatedAt").asText())).isAfter(Instant.parse(checkpoint.updatedAt()));
        assertThat(pullAll(500, checkpoint)).containsExactly(new Item("p-002", product.path("updatedAt").asText()));
        assertThat(pullAll(500, null)).as("one version per product").hasSize(SandboxProducts.COUNT).doesNotContain(before);
    }

    @Test
    void touchingAnUnknownProductIsANotFoundProblem() {
        HubClient.Res res = hub().postJson("/sandbox/catalog/products/p-999/touch", "");

        assertThat(res.status()).isEqualTo(404);
        assertThat(res.json().path("detail").asText()).contains("p-999");
    }

    @Test
    void theCatalogIsOffWithTheSandbox() {
        JunctionProperties off = new Binder(new MapConfigurationPropertySource(Map.of("junction.sandbox.enabled", "false")))
                .bindOrCreate("junction", JunctionProperties.class);
        SandboxCatalogController controller = new SandboxCatalogController(off, Clock.systemUTC());

        assertThatThrownBy(() -> controller.products(null, null, null)).isInstanceOf(ProblemException.class)
                .hasMessageContaining("junction.sandbox.enabled");
        assertThatThrownBy(() -> controller.touch("p-001")).isInstanceOf(ProblemException.class);
    }

    @Test
    void aTouchWhileTheClockIsBehindTheDemoDataStillComesAfterEveryProduct() {
        SandboxProducts products = new SandboxProducts(Clock.fixed(Instant.parse("2020-01-01T00:00:00Z"), java.time.ZoneOffset.UTC));
        List<SandboxProducts.Product> all = products.after(null, null, 500);
        SandboxProducts.Product last = all.get(all.size() - 1);

        SandboxProducts.Product touched = products.touch("p-001").orElseThrow();

        assertThat(touched.updated()).isAfter(last.updated());
        assertThat(products.after(last.updated(), last.id(), 500)).containsExactly(touched);
    }
}
