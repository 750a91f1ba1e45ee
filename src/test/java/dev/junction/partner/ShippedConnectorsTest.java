package dev.junction.partner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The descriptors and routes shipped in the repository load together (Maven runs tests from the project root). */
class ShippedConnectorsTest {

    @Test
    void shippedConnectorsLoadAgainstShippedRoutes() {
        List<Partner> partners = new ConnectorLoader(Path.of("").toAbsolutePath())
                .load(Path.of("connectors"), Path.of("routes"));

        assertThat(partners).extracting(Partner::id).contains("demo");
    }

    @Test
    void demoPartnerIsTheSandboxTheReadmeDescribes() throws Exception {
        Partner demo = new ConnectorLoader(Path.of("").toAbsolutePath())
                .load(Path.of("connectors"), Path.of("routes")).stream()
                .filter(p -> p.id().equals("demo")).findFirst().orElseThrow();

        byte[] sandboxKey = MessageDigest.getInstance("SHA-256").digest("demo-key-2f6c1b7e9a4d".getBytes(StandardCharsets.UTF_8));
        assertThat(demo.apiKeys()).singleElement().satisfies(k -> assertThat(k.sha256()).isEqualTo(sandboxKey));
        assertThat(demo.retry()).isEqualTo(new Partner.RetryPolicy(5, Duration.ofSeconds(2), 4, Duration.ofMinutes(10), 0.2));
        assertThat(demo.delivery().maxConcurrent()).isEqualTo(4);
        assertThat(demo.events()).containsOnlyKeys("order-created", "stock-changed", "vendor-order", "product-changed",
                "shipment-dispatched", "order-placed", "invoice-issued");
        SyncJob products = demo.syncJob("products").orElseThrow();
        assertThat(products.schedule()).isEqualTo(new SyncJob.Schedule(Duration.ofSeconds(10), null));
        assertThat(products.source()).isInstanceOfSatisfying(SyncJob.HttpSource.class, h -> {
            assertThat(h.target()).isEqualTo("catalog");
            assertThat(demo.targets().get("catalog").url()).contains("/sandbox/catalog");
        });
        assertThat(demo.event("order-created").orElseThrow().schema()).isPresent();
        assertThat(demo.event("stock-changed").orElseThrow().idempotencyKey())
                .isInstanceOfSatisfying(IdempotencyKeySource.Json.class, k -> assertThat(k.expression()).isEqualTo("$.eventId"));
    }

    @Test
    void freshFoodsIsTheDemoVendorTheReadmeDescribes() throws Exception {
        Partner vendor = new ConnectorLoader(Path.of("").toAbsolutePath())
                .load(Path.of("connectors"), Path.of("routes")).stream()
                .filter(p -> p.id().equals("fresh-foods")).findFirst().orElseThrow();

        byte[] demoToken = MessageDigest.getInstance("SHA-256").digest("fresh-foods-agent-demo-5d1e8a".getBytes(StandardCharsets.UTF_8));
        assertThat(vendor.agent().tokens()).singleElement().satisfies(t -> assertThat(t.sha256()).isEqualTo(demoToken));
        // The shipped mapping export (../shared/erp/item-mapping.json) names the vendor by this id.
        assertThat(vendor.agent().vendorId()).isEqualTo("971a1d7b-8cd4-41d9-925f-f658deb6efa5");
        assertThat(vendor.apiKeys()).isEmpty();
        assertThat(vendor.events()).containsOnlyKeys("item-changed", "warehouse-changed", "stock-changed");
    }

    @Test
    void shippedFilesAreNamedRelativeToTheProjectRoot() {
        assertThat(ConnectorLoader.display(Path.of("connectors/demo.yaml").toAbsolutePath()))
                .isEqualTo(Path.of("connectors", "demo.yaml").toString());
    }
}
