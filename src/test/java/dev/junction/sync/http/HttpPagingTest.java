package dev.junction.sync.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.junction.partner.Partner;
import dev.junction.partner.PartnerRegistry;
import dev.junction.sync.Checkpoint;
import dev.junction.sync.Page;
import dev.junction.sync.PulledRecord;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Paging end to end against a small partner API over real HTTP that honours {@code updated_since}, {@code after_id}
 * and {@code limit} with (updatedAt, id) semantics, whose records come in runs of equal updatedAt longer than a page:
 * feeding each page's last checkpoint into the next fetch returns every record exactly once, in order, whatever the
 * page size, including one that divides the data set (a last, empty page).
 */
@SpringBootTest(classes = SourceHub.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = "junction.routes-dir=" + SourceHub.ROUTES)
class HttpPagingTest {

    /** Record i's updatedAt: runs of 1, 6, 2, 9, 1, 3, 7 and 8 equal values (37 records), in several spellings of a time. */
    static final List<Product> PRODUCTS = products(new int[] {1, 6, 2, 9, 1, 3, 7, 8});
    static final HttpServer API = api();
    static final AtomicInteger REQUESTS = new AtomicInteger();

    record Product(String id, String updatedAt) {
        Instant at() {
            return OffsetDateTime.parse(updatedAt).toInstant();
        }
    }

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) throws Exception {
        String connectors = SourceHub.connectors("""
                  catalog:
                    url: http://127.0.0.1:%d
                    timeout: 5s
                """.formatted(API.getAddress().getPort())).toString();
        registry.add("junction.connectors-dir", () -> connectors);
    }

    @AfterAll
    static void stop() {
        API.stop(0);
    }

    @Autowired
    HttpPageSource source;
    @Autowired
    PartnerRegistry partners;

    @Test
    void everyRecordExactlyOnceAcrossPageBoundariesInsideRunsOfEqualCursors() throws Exception {
        Partner partner = SourceHub.partner(partners);
        List<String> expected = PRODUCTS.stream().map(Product::id).toList();
        for (int pageSize : new int[] {1, 2, 3, 4, 5, 7, 8, 37, 100}) {
            REQUESTS.set(0);
            List<String> pulled = new ArrayList<>();
            Checkpoint from = Checkpoint.START;
            Page page;
            do {
                page = source.fetch(partner, SourceHub.job("catalog", SourceHub.standardParams(), pageSize), from);
                for (PulledRecord r : page.records()) {
                    pulled.add(r.id());
                    from = r.checkpoint();
                }
                assertThat(REQUESTS.get()).as("page size %d never ends", pageSize).isLessThanOrEqualTo(PRODUCTS.size() + 1);
            } while (!page.last());

            assertThat(pulled).as("page size %d", pageSize).containsExactlyElementsOf(expected);
            assertThat(REQUESTS.get()).as("page size %d: requests", pageSize).isEqualTo(PRODUCTS.size() / pageSize + 1);
            assertThat(from).as("the last checkpoint is the last record's").isEqualTo(new Checkpoint(
                    PRODUCTS.get(PRODUCTS.size() - 1).updatedAt(), PRODUCTS.get(PRODUCTS.size() - 1).id()));
        }
    }

    @Test
    void aLookbackFromTheCursorAloneReadsTheWholeRunAtThatCursorAgain() throws Exception {
        Partner partner = SourceHub.partner(partners);
        Product sixth = PRODUCTS.get(5);

        Page page = source.fetch(partner, SourceHub.job("catalog", SourceHub.standardParams(), 100), new Checkpoint(sixth.updatedAt(), null));

        assertThat(page.records()).extracting(PulledRecord::id).first().isEqualTo(PRODUCTS.get(1).id());
        assertThat(page.records()).hasSize(PRODUCTS.size() - 1);
    }

    private static List<Product> products(int[] runs) {
        // Equal instants spelled the same within a run, as one source would; runs alternate spellings of a time.
        String[] spellings = {"2026-11-30T10:%02d:00Z", "2026-11-30T10:%02d:00.120Z", "2026-11-30T11:%02d:00+01:00"};
        List<Product> products = new ArrayList<>();
        int n = 0;
        for (int run = 0; run < runs.length; run++) {
            String at = spellings[run % spellings.length].formatted(run);
            for (int i = 0; i < runs[run]; i++) {
                n++;
                products.add(new Product("p-%03d".formatted(n), at));
            }
        }
        return products;
    }

    /** The partner's API: records with (updatedAt, id) after (updated_since, after_id), in that order, at most limit. */
    private static HttpServer api() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/products", HttpPagingTest::page);
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void page(HttpExchange exchange) throws IOException {
        REQUESTS.incrementAndGet();
        Map<String, String> q = query(exchange.getRequestURI());
        String since = q.getOrDefault("updated_since", "");
        String afterId = q.getOrDefault("after_id", "");
        int limit = Integer.parseInt(q.get("limit"));
        List<Product> page = PRODUCTS.stream()
                .sorted(Comparator.comparing(Product::at).thenComparing(Product::id))
                .filter(p -> since.isEmpty() || p.at().isAfter(OffsetDateTime.parse(since).toInstant())
                        || p.at().equals(OffsetDateTime.parse(since).toInstant()) && p.id().compareTo(afterId) > 0)
                .limit(limit)
                .toList();
        StringBuilder json = new StringBuilder("{\"items\":[");
        for (int i = 0; i < page.size(); i++) {
            json.append(i == 0 ? "" : ",").append("{\"id\":\"").append(page.get(i).id()).append("\",\"updatedAt\":\"")
                    .append(page.get(i).updatedAt()).append("\"}");
        }
        byte[] body = json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> params = new HashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            params.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        return params;
    }
}
