package dev.junction.erp.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.support.ErpHubTest;
import dev.junction.support.HubClient;
import dev.junction.support.Keys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ingest pipeline through HTTP, against a real database: every status, the rows it leaves in the mirror and the
 * change events it leaves in the journal, and every way a whole batch is refused. Each test uses keys of its own.
 */
abstract class IngestContract extends ErpHubTest {

    private static final AtomicInteger RUN = new AtomicInteger();
    private String p;

    @BeforeEach
    void mappingsAndAPrefix() {
        p = "t" + RUN.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        jdbc.update("DELETE FROM erp_mapping WHERE vendor = 'fresh-foods'");
        mapping("unit", "KG", "unit_kg_rm", "KILOGRAMME", true);
        mapping("unit", "OLD", "unit_old", "OLD UNIT", false);
        mapping("vat", "V55", "vat_55", "TVA 5,5 %", true);
        mapping("family", "FRU", "fruits", "FRUITS", true);
        // A new revision, so every instance's cache (here, the hub's) sees these on the next batch.
        jdbc.update("DELETE FROM erp_mapping_revision WHERE vendor = 'fresh-foods'");
        jdbc.update("INSERT INTO erp_mapping_revision (vendor, revision) VALUES ('fresh-foods', ?)", System.nanoTime());
    }

    private void mapping(String type, String erpCode, String code, String label, boolean active) {
        jdbc.update("INSERT INTO erp_mapping (vendor, type, erp_code, code, label, active, updated_at) VALUES ('fresh-foods', ?, ?, ?, ?, ?, CURRENT_TIMESTAMP)",
                type, erpCode, code, label, active);
    }

    String item(String id, String label, String updatedAt) {
        return """
                {"erpId":"%s","sku":"SKU-%s","label":"%s","unit":"KG","vat":"V55","family":"FRU","subfamily":"NOPE",
                 "priceExclVat":10.5,"priceInclVat":11.08,"updatedAt":"%s"}""".formatted(p + id, id, label, updatedAt);
    }

    HubClient.Res batch(String kind, String... records) {
        return agentPost("fresh-foods", Keys.FRESH_FOODS_AGENT, "/" + kind + "/batch",
                "{\"" + kind + "\":[" + String.join(",", records) + "]}");
    }

    static List<String> statuses(HubClient.Res res) {
        List<String> out = new ArrayList<>();
        res.json().path("results").forEach(r -> out.add(r.path("status").asText()));
        return out;
    }

    long rows(String table) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM " + table + " WHERE vendor = 'fresh-foods' AND "
                + (table.equals("erp_stock") ? "item_erp_id" : "erp_id") + " LIKE ?", Long.class, p + "%");
    }

    /** The change events a batch journaled: they carry its batch id as correlation id. */
    List<JsonNode> events(HubClient.Res res) {
        return jdbc.query("SELECT b.payload FROM message m JOIN message_body b ON b.receipt_id = m.receipt_id "
                        + "WHERE m.correlation_id = ? ORDER BY m.receipt_id",
                (rs, i) -> ContentHashTest.json(new String(rs.getBytes(1), StandardCharsets.UTF_8)), res.json().path("batchId").asText());
    }

    @Test
    void aNewRecordIsCreatedAndARepeatOfTheBatchIsUnchanged() {
        String a = item("A", "Pommes", "2026-11-30T10:00:00+01:00");
        String b = item("B", "Poires", "2026-11-30T10:00:00+01:00");
        HubClient.Res first = batch("items", a, b);
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(first.json().path("counts").toString())
                .isEqualTo("{\"created\":2,\"updated\":0,\"unchanged\":0,\"stale\":0,\"rejected\":0}");
        assertThat(rows("erp_item")).isEqualTo(2);
        List<JsonNode> events = events(first);
        assertThat(events).hasSize(2);
        assertThat(events.get(0).path("vendor").asText()).isEqualTo("fresh-foods");
        assertThat(events).extracting(e -> e.path("kind").asText() + " " + e.path("change").asText())
                .containsOnly("item created");
        assertThat(events).extracting(e -> e.path("key").asText()).containsExactlyInAnyOrder(p + "A", p + "B");

        HubClient.Res again = batch("items", a, b);
        assertThat(statuses(again)).containsExactly("unchanged", "unchanged");
        assertThat(events(again)).isEmpty();
        assertThat(rows("erp_item")).isEqualTo(2);
    }

    @Test
    void onlyANewerTimestampIsUnchangedAndKeepsTheStoredOne() {
        batch("items", item("A", "Pommes", "2026-11-30T10:00:00+01:00"));
        HubClient.Res later = batch("items", item("A", "Pommes", "2026-12-01T10:00:00+01:00"));
        assertThat(statuses(later)).containsExactly("unchanged");
        assertThat(events(later)).isEmpty();
        assertThat(opsGet("/ops/erp/fresh-foods/items/" + p + "A").json().path("erpUpdatedAt").asText())
                .isEqualTo("2026-11-30T09:00:00Z");
    }

    @Test
    void aChangedRecordUpdatesAndAnOlderOneIsStale() {
        batch("items", item("A", "Pommes", "2026-11-30T10:00:00+01:00"));
        HubClient.Res update = batch("items", item("A", "Pommes bio", "2026-11-30T11:00:00+01:00"));
        assertThat(statuses(update)).containsExactly("updated");
        assertThat(events(update)).singleElement().satisfies(e -> {
            assertThat(e.path("change").asText()).isEqualTo("updated");
            assertThat(e.path("record").path("label").asText()).isEqualTo("Pommes bio");
        });
        HubClient.Res stale = batch("items", item("A", "Pommes anciennes", "2026-11-30T10:30:00+01:00"));
        assertThat(statuses(stale)).containsExactly("stale");
        assertThat(events(stale)).isEmpty();
        assertThat(jdbc.queryForObject("SELECT label FROM erp_item WHERE vendor = 'fresh-foods' AND erp_id = ?", String.class, p + "A"))
                .isEqualTo("Pommes bio");
    }

    @Test
    void aHalfValidBatchStoresExactlyTheValidHalfAndEmitsEventsForIt() {
        List<String> records = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String ok = item("H" + i, "Item " + i, "2026-11-30T10:00:00Z");
            records.add(i % 2 == 0 ? ok : ok.replace("\"priceInclVat\":11.08", "\"priceInclVat\":1.00"));
        }
        HubClient.Res res = batch("items", records.toArray(String[]::new));
        assertThat(res.status()).isEqualTo(200);
        assertThat(statuses(res)).containsExactly("created", "rejected", "created", "rejected", "created", "rejected", "created",
                "rejected", "created", "rejected");
        JsonNode rejected = res.json().path("results").get(1);
        assertThat(rejected.path("index").asInt()).isEqualTo(1);
        assertThat(rejected.path("key").asText()).isEqualTo(p + "H1");
        assertThat(rejected.path("errors").toString()).isEqualTo("[{\"field\":\"priceInclVat\",\"message\":\"must be at least priceExclVat (10.50)\"}]");
        assertThat(jdbc.queryForList("SELECT erp_id FROM erp_item WHERE vendor = 'fresh-foods' AND erp_id LIKE ? ORDER BY erp_id",
                String.class, p + "%")).containsExactly(p + "H0", p + "H2", p + "H4", p + "H6", p + "H8");
        assertThat(events(res)).extracting(e -> e.path("key").asText())
                .containsExactlyInAnyOrder(p + "H0", p + "H2", p + "H4", p + "H6", p + "H8");
    }

    @Test
    void mappingDecidesRejectionsAndWarnings() {
        String unmappedUnit = item("U", "x", "2026-11-30T10:00:00Z").replace("\"unit\":\"KG\"", "\"unit\":\"BAG\"");
        String inactiveUnit = item("I", "x", "2026-11-30T10:00:00Z").replace("\"unit\":\"KG\"", "\"unit\":\"OLD\"");
        String unmappedVat = item("V", "x", "2026-11-30T10:00:00Z").replace("\"vat\":\"V55\"", "\"vat\":\"V99\"");
        String unmappedFamily = item("F", "x", "2026-11-30T10:00:00Z").replace("\"family\":\"FRU\"", "\"family\":\"LEG\"");
        HubClient.Res res = batch("items", unmappedUnit, inactiveUnit, unmappedVat, unmappedFamily);
        assertThat(statuses(res)).containsExactly("rejected", "rejected", "rejected", "created");
        JsonNode results = res.json().path("results");
        assertThat(results.get(0).path("errors").toString()).isEqualTo("[{\"field\":\"unit\",\"message\":\"no mapping for unit BAG\"}]");
        assertThat(results.get(1).path("errors").toString()).isEqualTo("[{\"field\":\"unit\",\"message\":\"the mapping for unit OLD is inactive\"}]");
        assertThat(results.get(2).path("errors").toString()).isEqualTo("[{\"field\":\"vat\",\"message\":\"no mapping for vat V99\"}]");
        assertThat(results.get(3).path("warnings")).extracting(JsonNode::toString).containsExactly(
                "{\"field\":\"family\",\"message\":\"no mapping for family LEG; stored without a family code\"}",
                "{\"field\":\"subfamily\",\"message\":\"no mapping for subfamily NOPE; stored without a subfamily code\"}");
        assertThat(rows("erp_item")).isEqualTo(1);
    }

    @Test
    void everyValidationReasonRejectsItsRecordNamingTheField() {
        String ok = item("R", "x", "2026-11-30T10:00:00Z");
        HubClient.Res res = batch("items",
                ok.replace("\"sku\":\"SKU-R\",", ""),
                ok.replace("\"label\":\"x\"", "\"label\":5"),
                ok.replace("10.5", "-1"),
                ok.replace("2026-11-30T10:00:00Z", "yesterday"),
                "\"not an object\"");
        assertThat(statuses(res)).containsOnly("rejected");
        assertThat(res.json().path("results")).extracting(r -> r.path("errors").get(0).path("field").asText())
                .containsExactly("sku", "label", "priceExclVat", "updatedAt", "");
        assertThat(rows("erp_item")).isZero();
    }

    @Test
    void theMirrorShowsResolvedCodesDerivedFieldsAndMoneyAtItsScale() {
        batch("items", item("A", "Pommes", "2026-11-30T10:00:00+01:00"));
        HubClient.Res res = opsGet("/ops/erp/fresh-foods/items/" + p + "A");
        JsonNode item = res.json();
        // Read as text: a client's default JSON parser turns 10.50 into the double 10.5.
        assertThat(res.body()).contains("\"priceExclVat\":10.50,", "\"vatAmount\":0.58,");
        assertThat(item.path("unit").toString()).isEqualTo("{\"erpCode\":\"KG\",\"code\":\"unit_kg_rm\",\"label\":\"KILOGRAMME\"}");
        assertThat(item.path("subfamily").toString()).isEqualTo("{\"erpCode\":\"NOPE\",\"code\":null,\"label\":null}");
        assertThat(item.path("manageStock").asBoolean()).isTrue();
        assertThat(item.path("deleted").asBoolean()).isFalse();
        assertThat(item.path("contentHash").asText()).hasSize(64);
        assertThat(opsGet("/ops/erp/fresh-foods/items/" + p + "missing").status()).isEqualTo(404);
        assertThat(opsGet("/ops/erp/nobody/items/" + p + "A").status()).isEqualTo(404);
        assertThat(hub().get("/ops/erp/fresh-foods/items/" + p + "A").status()).isEqualTo(401);
    }

    @Test
    void opsPageThroughTheMirrorInKeyOrder() {
        batch("items", item("C", "c", "2026-11-30T10:00:00Z"), item("A", "a", "2026-11-30T10:00:00Z"), item("B", "b", "2026-11-30T10:00:00Z"));
        JsonNode first = opsGet("/ops/erp/fresh-foods/items?limit=2&after=" + p).json();
        assertThat(first.path("records")).extracting(r -> r.path("erpId").asText()).containsExactly(p + "A", p + "B");
        assertThat(first.path("records").get(0).path("unit").path("code").asText()).isEqualTo("unit_kg_rm");
        assertThat(first.path("next").asText()).isEqualTo(p + "B");
        JsonNode second = opsGet("/ops/erp/fresh-foods/items?limit=2&after=" + p + "B").json();
        assertThat(second.path("records").get(0).path("erpId").asText()).isEqualTo(p + "C");
        assertThat(opsGet("/ops/erp/fresh-foods/items?limit=0").status()).isEqualTo(400);
        assertThat(opsGet("/ops/erp/fresh-foods/stock?after=nokey").status()).isEqualTo(400);
        assertThat(opsGet("/ops/erp/market/items").status()).isEqualTo(404);
    }

    @Test
    void warehousesThenStockWhichNeedsThemAndDerivesItsValue() {
        HubClient.Res w = batch("warehouses", "{\"erpId\":\"" + p + "W\",\"name\":\"Rungis\",\"isMain\":true,\"updatedAt\":\"2026-11-30T10:00:00Z\"}");
        assertThat(statuses(w)).containsExactly("created");
        batch("items", item("A", "Pommes", "2026-11-30T10:00:00Z"));
        HubClient.Res s = batch("stock",
                "{\"warehouseErpId\":\"" + p + "W\",\"itemErpId\":\"" + p + "A\",\"quantity\":12.5,\"pump\":1.3333,\"updatedAt\":\"2026-11-30T10:00:00Z\"}",
                "{\"warehouseErpId\":\"" + p + "W\",\"itemErpId\":\"" + p + "Z\",\"quantity\":1,\"updatedAt\":\"2026-11-30T10:00:00Z\"}");
        assertThat(statuses(s)).containsExactly("created", "rejected");
        assertThat(s.json().path("results").get(1).path("errors").get(0).path("field").asText()).isEqualTo("itemErpId");
        HubClient.Res stock = opsGet("/ops/erp/fresh-foods/stock/" + p + "W/" + p + "A");
        assertThat(stock.body()).contains("\"quantity\":12.5000,", "\"pump\":1.3333,", "\"stockValue\":16.67,");
        assertThat(events(s)).singleElement().satisfies(e -> assertThat(e.path("key").asText()).isEqualTo(p + "W/" + p + "A"));
        assertThat(opsGet("/ops/erp/fresh-foods/warehouses/" + p + "W").json().path("isMain").asBoolean()).isTrue();
    }

    @Test
    void changeEventsAreDeliveredByTheEngine() {
        HubClient.Res res = batch("items", item("D", "Delivered", "2026-11-30T10:00:00Z"));
        String batchId = res.json().path("batchId").asText();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(jdbc.queryForList(
                "SELECT status FROM message WHERE correlation_id = ?", String.class, batchId)).containsExactly("delivered"));
    }

    @Test
    void aDatabaseFailureMidBatchAnswers503AndStoresNothing() {
        // The journal's insert fails after the mirror's rows went in, inside the same transaction.
        jdbc.execute("ALTER TABLE message_body RENAME TO message_body_away");
        HubClient.Res res;
        try {
            res = batch("items", item("X", "x", "2026-11-30T10:00:00Z"), item("Y", "y", "2026-11-30T10:00:00Z"));
        } finally {
            jdbc.execute("ALTER TABLE message_body_away RENAME TO message_body");
        }
        assertThat(res.status()).isEqualTo(503);
        assertThat(res.header("Content-Type")).hasValue("application/problem+json");
        assertThat(rows("erp_item")).isZero();
        assertThat(statuses(batch("items", item("X", "x", "2026-11-30T10:00:00Z")))).containsExactly("created");
    }

    @Test
    void aWholeBatchIsRefusedWithAProblemWhenItCannotBeRead() {
        String path = "/agents/fresh-foods/items/batch";
        String auth = "Bearer " + Keys.FRESH_FOODS_AGENT;
        assertProblem(hub().postJson(path, "{\"items\":[", "Authorization", auth), 400, "Malformed JSON");
        assertProblem(hub().postJson(path, "{\"records\":[]}", "Authorization", auth), 400, "\"items\"");
        assertProblem(hub().post(path, "text/plain", "{\"items\":[]}".getBytes(StandardCharsets.UTF_8), "Authorization", auth), 415, "text/plain");
        String many = "{\"items\":[" + String.join(",", java.util.Collections.nCopies(1001, "{}")) + "]}";
        assertProblem(hub().postJson(path, many, "Authorization", auth), 413, "1001");
        byte[] huge = ("{\"items\":[\"" + "x".repeat(6 * 1024 * 1024) + "\"]}").getBytes(StandardCharsets.UTF_8);
        assertProblem(hub().post(path, "application/json", huge, "Authorization", auth), 413, "5242880");
        assertThat(statuses(hub().postJson(path, "{\"items\":[]}", "Authorization", auth))).isEmpty();
    }

    private static void assertProblem(HubClient.Res res, int status, String detailPart) {
        assertThat(res.status()).as(res.toString()).isEqualTo(status);
        assertThat(res.header("Content-Type")).hasValue("application/problem+json");
        assertThat(res.json().path("detail").asText()).contains(detailPart);
    }

    @Test
    void onlyTheVendorsOwnAgentTokenMayPushAndARefusedBatchStoresNothing() {
        String body = "{\"items\":[" + item("K", "k", "2026-11-30T10:00:00Z") + "]}";
        Map<String, Integer> expected = Map.of(
                Keys.BREWERY_AGENT, 403, Keys.MARKET, 403, Keys.FRESH_FOODS_WEBHOOKS, 403, Keys.OPS, 403,
                Keys.FRESH_FOODS_AGENT_EXPIRED, 401, "no-such-token", 401);
        expected.forEach((key, status) -> assertThat(hub().postJson("/agents/fresh-foods/items/batch", body, "X-API-Key", key).status())
                .as(key).isEqualTo(status));
        assertThat(hub().postJson("/agents/fresh-foods/items/batch", body).status()).isEqualTo(401);
        assertThat(rows("erp_item")).isZero();
        assertThat(hub().postJson("/agents/fresh-foods/items/batch", body, "X-API-Key", Keys.FRESH_FOODS_AGENT).status()).isEqualTo(200);
        assertThat(rows("erp_item")).isEqualTo(1);
    }

    @Test
    void aVendorWithoutAChangeFeedStoresWithoutEventsWithinItsRateLimit() {
        String warehouse = "{\"erpId\":\"" + p + "W%d\",\"name\":\"W\",\"updatedAt\":\"2026-11-30T10:00:00Z\"}";
        for (int i = 0; i < 3; i++) {
            HubClient.Res res = agentPost("brewery", Keys.BREWERY_AGENT, "/warehouses/batch", "{\"warehouses\":[" + warehouse.formatted(i) + "]}");
            assertThat(statuses(res)).containsExactly("created");
            assertThat(events(res)).isEmpty();
        }
        HubClient.Res limited = agentPost("brewery", Keys.BREWERY_AGENT, "/warehouses/batch", "{\"warehouses\":[" + warehouse.formatted(9) + "]}");
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.header("Retry-After")).isPresent();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM erp_warehouse WHERE vendor = 'brewery' AND erp_id LIKE ?", Long.class, p + "%"))
                .isEqualTo(3);
    }
}
