package dev.junction.partner;

import static dev.junction.partner.ConnectorLoaderTest.KEY_HASH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code syncJobs} section (SYNC-JOBS.md): read field by field, defaults, and every refusal naming file and field. */
class SyncJobsDescriptorTest {

    static final String ROUTES = """
            - route:
                id: supplier-product
                from:
                  uri: direct:supplier-product
                  steps:
                    - log: "product"
            """;

    /** The contract's example, all three sources. */
    static final String SUPPLIER = """
            partner: supplier
            events:
              product-changed: { route: supplier-product }
              order-imported: { route: supplier-product }
              marketplace-event: { route: supplier-product }
            targets:
              catalog:
                url: http://localhost:9/api
                headers: { Authorization: "Bearer ${SUPPLIER_TOKEN}" }
            syncJobs:
              products:
                schedule: 30s
                maxBacklog: 10000
                event: product-changed
                lookback: 2m
                source:
                  http:
                    target: catalog
                    path: /products
                    params: { updated_since: "${cursor}", after_id: "${id}", limit: "${pageSize}" }
                    pageSize: 100
                    records: $.items
                    cursor: $.updatedAt
                    id: $.id
              legacy-orders:
                schedule: { cron: "0 */2 * * * *" }
                event: order-imported
                source:
                  sql:
                    datasource: legacy
                    query: >
                      SELECT * FROM orders WHERE CAST(:#cursor AS TIMESTAMP) IS NULL OR updated_at > :#cursor
                         OR (updated_at = :#cursor AND id > :#id)
                      ORDER BY updated_at, id FETCH FIRST :#pageSize ROWS ONLY
                    pageSize: 500
                    cursor: updated_at
                    id: id
              marketplace-events:
                event: marketplace-event
                source:
                  kafka: { topic: marketplace.events, groupId: junction-marketplace }
            """;

    @TempDir
    Path work;

    Path connectors;
    Path routes;

    @BeforeEach
    void folders() throws IOException {
        connectors = Files.createDirectories(work.resolve("connectors"));
        routes = Files.createDirectories(work.resolve("routes"));
        Files.writeString(routes.resolve("supplier.yaml"), ROUTES);
    }

    @Test
    void theContractsExampleIsReadFieldByField() {
        Partner supplier = load(SUPPLIER);

        assertThat(supplier.apiKeys()).as("a partner we only pull from needs no API key").isEmpty();
        assertThat(supplier.syncJobs()).containsOnlyKeys("products", "legacy-orders", "marketplace-events");

        SyncJob products = supplier.syncJob("products").orElseThrow();
        assertThat(products.schedule()).isEqualTo(new SyncJob.Schedule(Duration.ofSeconds(30), null));
        assertThat(products.maxBacklog()).isEqualTo(10_000);
        assertThat(products.event()).isEqualTo("product-changed");
        assertThat(products.lookback()).isEqualTo(Duration.ofMinutes(2));
        assertThat(products.source()).isEqualTo(new SyncJob.HttpSource("catalog", "/products",
                Map.of("updated_since", "${cursor}", "after_id", "${id}", "limit", "${pageSize}"), 100, "$.items", "$.updatedAt", "$.id"));

        SyncJob orders = supplier.syncJob("legacy-orders").orElseThrow();
        assertThat(orders.schedule()).isEqualTo(new SyncJob.Schedule(null, "0 */2 * * * *"));
        assertThat(orders.lookback()).isZero();
        assertThat(orders.maxBacklog()).isEqualTo(SyncJob.DEFAULT_MAX_BACKLOG);
        SyncJob.SqlSource sql = (SyncJob.SqlSource) orders.source();
        assertThat(sql.datasource()).isEqualTo("legacy");
        assertThat(sql.query()).contains(":#cursor").contains(":#id").contains(":#pageSize");
        assertThat(sql.pageSize()).isEqualTo(500);
        assertThat(sql.cursor()).isEqualTo("updated_at");
        assertThat(sql.id()).isEqualTo("id");

        SyncJob events = supplier.syncJob("marketplace-events").orElseThrow();
        assertThat(events.schedule()).as("kafka consumes continuously").isNull();
        assertThat(events.source()).isEqualTo(new SyncJob.KafkaSource("marketplace.events", "junction-marketplace"));
    }

    @Test
    void omittedFieldsTakeTheDocumentedDefaults() {
        Partner supplier = load(only("""
                  products:
                    event: product-changed
                    source:
                      http: { target: catalog, records: $.items, cursor: $.updatedAt, id: $.id }
                """));

        SyncJob job = supplier.syncJob("products").orElseThrow();
        assertThat(job.schedule()).isEqualTo(new SyncJob.Schedule(Duration.ofMinutes(1), null));
        assertThat(job.maxBacklog()).isEqualTo(10_000);
        assertThat(job.lookback()).isZero();
        SyncJob.HttpSource http = (SyncJob.HttpSource) job.source();
        assertThat(http.pageSize()).isEqualTo(500);
        assertThat(http.path()).isEmpty();
        assertThat(http.params()).isEmpty();
    }

    @Test
    void withoutSyncJobsOrAnAgentApiKeysAreStillRequired() {
        assertRefused(SUPPLIER.replaceFirst("(?s)syncJobs:.*", ""), "/apiKeys", "");
    }

    @Test
    void anEventThePartnerDoesNotDeclare() {
        assertRefused(SUPPLIER.replace("event: order-imported", "event: order-deleted"),
                "/syncJobs/legacy-orders/event", "'order-deleted' is not an event of this partner");
    }

    @Test
    void anUnknownTarget() {
        assertRefused(SUPPLIER.replace("target: catalog", "target: katalog"),
                "/syncJobs/products/source/http/target", "'katalog' is not a target of this partner");
    }

    @Test
    void aQueryWithoutTheNamedCheckpointParameters() {
        assertRefused(SUPPLIER.replace("AND id > :#id", "AND id > 0"),
                "/syncJobs/legacy-orders/source/sql/query", ":#id");
        assertRefused(SUPPLIER.replace("CAST(:#cursor AS TIMESTAMP) IS NULL OR updated_at > :#cursor", "1 = 1")
                        .replace("updated_at = :#cursor", "updated_at = CURRENT_TIMESTAMP"),
                "/syncJobs/legacy-orders/source/sql/query", ":#cursor");
    }

    @Test
    void aPositionalParameter() {
        assertRefused(SUPPLIER.replace("FETCH FIRST :#pageSize ROWS", "FETCH FIRST ? ROWS"),
                "/syncJobs/legacy-orders/source/sql/query", "positional");
    }

    @Test
    void aBadSchedule() {
        assertRefused(SUPPLIER.replace("schedule: 30s", "schedule: soon"), "/syncJobs/products/schedule", "");
        assertRefused(SUPPLIER.replace("schedule: 30s", "schedule: 0s"), "/syncJobs/products/schedule", "longer than 0");
        assertRefused(SUPPLIER.replace("\"0 */2 * * * *\"", "\"*/2 * * * *\""), "/syncJobs/legacy-orders/schedule/cron", "six fields");
    }

    @Test
    void aKafkaSourceHasNoScheduleNorLookback() {
        assertRefused(SUPPLIER.replace("    event: marketplace-event", "    schedule: 1m\n    event: marketplace-event"),
                "/syncJobs/marketplace-events/schedule", "continuously");
        assertRefused(SUPPLIER.replace("    event: marketplace-event", "    lookback: 1m\n    event: marketplace-event"),
                "/syncJobs/marketplace-events/lookback", "no cursor");
    }

    @Test
    void aJsonPathThatDoesNotCompile() {
        assertRefused(SUPPLIER.replace("cursor: $.updatedAt", "cursor: $.[updatedAt"), "/syncJobs/products/source/http/cursor", "not a JSONPath");
    }

    @Test
    void aSourceMustBeExactlyOneKind() {
        assertRefused(SUPPLIER.replace("      kafka: { topic", "      sql: { datasource: x, query: ':#cursor :#id', cursor: a, id: b }\n      kafka: { topic"),
                "/syncJobs/marketplace-events/source", "");
        assertRefused(SUPPLIER.replace("kafka: { topic: marketplace.events, groupId: junction-marketplace }", "ftp: { host: x }"),
                "/syncJobs/marketplace-events/source/ftp", "not defined");
    }

    @Test
    void aRequiredSourceFieldIsNamed() {
        assertRefused(SUPPLIER.replace("        records: $.items\n", ""), "/syncJobs/products/source/http/records", "required property 'records'");
    }

    /** SUPPLIER with only the given jobs. */
    static String only(String jobs) {
        return SUPPLIER.replaceFirst("(?s)syncJobs:.*", java.util.regex.Matcher.quoteReplacement("syncJobs:\n" + jobs));
    }

    Partner load(String yaml) {
        write(yaml);
        return new ConnectorLoader(work).load(connectors, routes).get(0);
    }

    void write(String yaml) {
        ConnectorLoaderTest.write(connectors.resolve("supplier.yaml"), yaml);
    }

    void assertRefused(String yaml, String pointer, String problem) {
        write(yaml);
        InvalidConnectorException e = assertThrows(InvalidConnectorException.class, () -> new ConnectorLoader(work).load(connectors, routes));
        assertThat(e.getMessage()).doesNotContain("\n")
                .startsWith(ConnectorLoaderTest.shown(connectors.resolve("supplier.yaml")) + ": " + pointer + ": ")
                .contains(problem);
    }

    static {
        assertThat(KEY_HASH).hasSize(64);
    }
}
