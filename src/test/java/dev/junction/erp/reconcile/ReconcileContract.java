package dev.junction.erp.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.support.HubClient;
import dev.junction.support.HubTest;
import dev.junction.support.Keys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Reconciliation end to end, against a real database and an in-process agent ({@link FakeAgent}) that serves the
 * protocol from its own copy of the records: the hub's mirror is seeded through the real batch endpoint, the agent
 * registers its URL, ops start runs over HTTP, and the tests read the runs' rows, the mirror, the change events in the
 * journal and the agent's request log. Each test starts from an empty mirror for fresh-foods.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "junction.connectors-dir=src/test/resources/reconcile/connectors", "junction.routes-dir=src/test/resources/reconcile/routes",
        HubTest.OPS_KEY,
        "RECONCILE_TEST_AGENT_SECRET=" + ReconcileContract.SECRET, "junction.erp.reconcile.timeout=2s",
        "junction.erp.reconcile.parallelism=" + ReconcileContract.PARALLELISM,
})
abstract class ReconcileContract {

    static final String SECRET = "agent-secret-1";
    /** Requests a run may have in flight at the agent. */
    static final int PARALLELISM = 4;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VENDOR = "fresh-foods";

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    FakeAgent agent;

    /** A read-only ops key beside the admin one (Keys.OPS): it may list runs but not start one. */
    @DynamicPropertySource
    static void readOnlyOpsKey(DynamicPropertyRegistry registry) {
        registry.add("junction.ops-keys[0].id", () -> "reader");
        registry.add("junction.ops-keys[0].sha256", () -> Keys.sha256(Keys.OPS_READ));
        registry.add("junction.ops-keys[0].role", () -> "read");
    }

    @BeforeEach
    void emptyMirrorMappingsAndAnAgent() throws Exception {
        for (String table : List.of("erp_stock", "erp_item", "erp_warehouse", "erp_reconcile_lease", "erp_reconciliation")) {
            jdbc.update("DELETE FROM " + table + " WHERE vendor = ?", VENDOR);
        }
        jdbc.update("DELETE FROM erp_mapping WHERE vendor = ?", VENDOR);
        jdbc.update("INSERT INTO erp_mapping (vendor, type, erp_code, code, label, active, updated_at) VALUES (?, 'unit', 'KG', 'unit_kg', 'KG', TRUE, CURRENT_TIMESTAMP)", VENDOR);
        jdbc.update("INSERT INTO erp_mapping (vendor, type, erp_code, code, label, active, updated_at) VALUES (?, 'vat', 'V55', 'vat_55', '5,5', TRUE, CURRENT_TIMESTAMP)", VENDOR);
        jdbc.update("DELETE FROM erp_mapping_revision WHERE vendor = ?", VENDOR);
        jdbc.update("INSERT INTO erp_mapping_revision (vendor, revision) VALUES (?, ?)", VENDOR, System.nanoTime());
        agent = new FakeAgent();
        HubClient.Res registered = hub().postJson("/agents/" + VENDOR + "/register",
                "{\"agentUrl\":\"" + agent.url() + "\",\"erpType\":\"EBP\",\"version\":\"test\"}", "Authorization", "Bearer " + Keys.FRESH_FOODS_AGENT);
        assertThat(registered.status()).as(registered.toString()).isEqualTo(200);
    }

    @AfterEach
    void stopAgent() {
        agent.close();
    }

    HubClient hub() {
        return new HubClient(port);
    }

    static ObjectNode item(String erpId, String label, String updatedAt) {
        ObjectNode item = JSON.createObjectNode();
        item.put("erpId", erpId);
        item.put("sku", "SKU-" + erpId);
        item.put("label", label);
        item.put("unit", "KG");
        item.put("vat", "V55");
        item.put("priceExclVat", 10.5);
        item.put("priceInclVat", 11.08);
        item.put("updatedAt", updatedAt);
        return item;
    }

    /** {@code n} items keyed by {@code format} of 0..n-1, as the hub and the agent both hold them before any drift. */
    static List<ObjectNode> numbered(int n, String format) {
        List<ObjectNode> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            items.add(item(String.format(format, i), "Item " + i, "2026-11-30T10:00:00Z"));
        }
        return items;
    }

    /** Seeds the hub through the agent batch endpoint, 1,000 records a batch, and gives the agent the same copy. */
    void seed(List<ObjectNode> items) {
        for (int i = 0; i < items.size(); i += 1000) {
            List<ObjectNode> batch = items.subList(i, Math.min(items.size(), i + 1000));
            HubClient.Res res = hub().postJson("/agents/" + VENDOR + "/items/batch", "{\"items\":" + batch + "}",
                    "Authorization", "Bearer " + Keys.FRESH_FOODS_AGENT);
            assertThat(res.status()).as(res.toString()).isEqualTo(200);
            assertThat(res.json().path("counts").path("created").asInt()).as(res.body()).isEqualTo(batch.size());
        }
        items.forEach(it -> agent.put("items", it.get("erpId").asText(), it));
    }

    String start() {
        HubClient.Res res = hub().postJson("/ops/erp/" + VENDOR + "/reconcile", "{}", "X-API-Key", Keys.OPS);
        assertThat(res.status()).as(res.toString()).isEqualTo(202);
        return res.json().path("runId").asText();
    }

    /** The run's rows once all three kinds have finished, by kind. */
    Map<String, JsonNode> finished(String runId) {
        Map<String, JsonNode> rows = new java.util.HashMap<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            rows.clear();
            for (JsonNode row : runs()) {
                if (row.path("runId").asText().equals(runId) && !row.path("finishedAt").isNull()) {
                    rows.put(row.path("kind").asText(), row);
                }
            }
            return rows.size() == 3;
        });
        return rows;
    }

    JsonNode runs() {
        HubClient.Res res = hub().get("/ops/erp/" + VENDOR + "/reconciliations", "X-API-Key", Keys.OPS);
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        return res.json();
    }

    /** The change events a run journaled: they carry its run id as correlation id. */
    List<JsonNode> events(String runId) {
        return jdbc.query("SELECT b.payload FROM message m JOIN message_body b ON b.receipt_id = m.receipt_id WHERE m.correlation_id = ?",
                (rs, i) -> read(new String(rs.getBytes(1), StandardCharsets.UTF_8)), runId);
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    JsonNode mirror(String erpId) {
        return hub().get("/ops/erp/" + VENDOR + "/items/" + java.net.URLEncoder.encode(erpId, StandardCharsets.UTF_8).replace("+", "%20"),
                "X-API-Key", Keys.OPS).json();
    }

    @Test
    void repairsExactlyTheDriftedMissingAndExtraRecordsOfTenThousandFetchingAFewHundred() {
        List<ObjectNode> items = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            items.add(item(String.format("I%05d", i), "Item " + i, "2026-11-30T10:00:00Z"));
        }
        // Keys whose UTF-8 byte order is not their UTF-16 order (H2) nor, likely, the database collation's (PostgreSQL).
        for (String odd : List.of("\u00E9clair", "\uFF5Apple", "\uD83C\uDF4Epineapple", "\uD83C\uDF4Fgreen", "zeta", "Zeta")) {
            items.add(item(odd, "Odd " + odd, "2026-11-30T10:00:00Z"));
        }
        seed(items);
        // The agent's drift: three changed (with an older updatedAt: the agent wins anyway), three gone, three new.
        List<String> drifted = List.of("I00042", "I05000", "\uD83C\uDF4Epineapple");
        List<String> missing = List.of("I00001", "I07777", "\uFF5Apple");
        List<String> extra = List.of("I03333x", "I09999x", "\uD83C\uDF50pear");
        drifted.forEach(k -> agent.put("items", k, item(k, "Changed at the ERP " + k, "2020-01-01T00:00:00Z")));
        missing.forEach(k -> agent.remove("items", k));
        extra.forEach(k -> agent.put("items", k, item(k, "New at the ERP " + k, "2026-11-30T11:00:00Z")));

        String runId = start();
        Map<String, JsonNode> rows = finished(runId);

        JsonNode itemsRow = rows.get("items");
        assertThat(itemsRow.path("error").isNull()).as(itemsRow.toString()).isTrue();
        assertThat(itemsRow.path("drifted").asInt()).isEqualTo(9);
        assertThat(itemsRow.path("repaired").asInt()).isEqualTo(6);
        assertThat(itemsRow.path("deleted").asInt()).isEqualTo(3);
        assertThat(rows.get("warehouses").path("requests").asInt()).isEqualTo(1);
        assertThat(rows.get("stock").path("requests").asInt()).isEqualTo(1);
        // The agent's log: a few hundred records fetched out of 10,006, and every call with the vendor's secret.
        int fetched = agent.served();
        long checksums = agent.requests.stream().filter(r -> r.path().endsWith("/checksum")).count();
        long pages = agent.requests.stream().filter(r -> r.path().endsWith("/records")).count();
        System.out.printf("reconcile 10,006 items, 9 drifts (maxBucket 32): %d requests (%d checksum, %d records), %d records fetched%n",
                agent.requests.size(), checksums, pages, fetched);
        assertThat(fetched).isEqualTo(itemsRow.path("fetched").asInt()).isLessThanOrEqualTo(400);
        assertThat(agent.requests.size()).isEqualTo(itemsRow.path("requests").asInt() + 2).isLessThan(400);
        assertThat(agent.requests).extracting(FakeAgent.Request::authorization).containsOnly("Bearer " + SECRET);

        // The mirror: the agent's versions, even older; the gone ones deleted but readable; the new ones created.
        for (String k : drifted) {
            JsonNode stored = mirror(k);
            assertThat(stored.path("label").asText()).isEqualTo("Changed at the ERP " + k);
            assertThat(stored.path("erpUpdatedAt").asText()).isEqualTo("2020-01-01T00:00:00Z");
        }
        missing.forEach(k -> assertThat(mirror(k).path("deleted").asBoolean()).as(k).isTrue());
        extra.forEach(k -> assertThat(mirror(k).path("label").asText()).isEqualTo("New at the ERP " + k));
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM erp_item WHERE vendor = ? AND deleted = FALSE", Long.class, VENDOR))
                .isEqualTo(10_006L);

        // Exactly their change events, in the run's correlation.
        List<JsonNode> events = events(runId);
        assertThat(events).extracting(e -> e.path("change").asText() + " " + e.path("key").asText()).containsExactlyInAnyOrder(
                "updated " + drifted.get(0), "updated " + drifted.get(1), "updated " + drifted.get(2),
                "deleted " + missing.get(0), "deleted " + missing.get(1), "deleted " + missing.get(2),
                "created " + extra.get(0), "created " + extra.get(1), "created " + extra.get(2));
        assertThat(events).allSatisfy(e -> assertThat(e.path("kind").asText()).isEqualTo("item"));
        assertThat(events).filteredOn(e -> e.path("change").asText().equals("deleted"))
                .allSatisfy(e -> assertThat(e.path("record").path("deleted").asBoolean()).isTrue());

        // Once repaired, the next run agrees at the first checksum of each kind and fetches nothing.
        agent.forget();
        String again = start();
        Map<String, JsonNode> second = finished(again);
        assertThat(second.values()).allSatisfy(r -> {
            assertThat(r.path("requests").asInt()).isEqualTo(1);
            assertThat(r.path("drifted").asInt()).isZero();
        });
        assertThat(agent.served()).isZero();
        assertThat(events(again)).isEmpty();
    }

    HubClient.Res batch(String kind, List<ObjectNode> records) {
        HubClient.Res res = hub().postJson("/agents/" + VENDOR + "/" + kind + "/batch", "{\"" + kind + "\":" + records + "}",
                "Authorization", "Bearer " + Keys.FRESH_FOODS_AGENT);
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        return res;
    }

    static ObjectNode warehouse(String erpId) {
        return JSON.createObjectNode().put("erpId", erpId).put("name", "Warehouse " + erpId).put("updatedAt", "2026-11-30T10:00:00Z");
    }

    static ObjectNode stock(String warehouse, String item, double quantity) {
        return JSON.createObjectNode().put("warehouseErpId", warehouse).put("itemErpId", item).put("quantity", quantity)
                .put("updatedAt", "2026-11-30T10:00:00Z");
    }

    @Test
    void stockIsReconciledAfterTheWarehousesAndItemsItNeeds() {
        seed(List.of(item("A", "a", "2026-11-30T10:00:00Z"), item("B", "b", "2026-11-30T10:00:00Z")));
        batch("warehouses", List.of(warehouse("W1")));
        batch("stock", List.of(stock("W1", "A", 5), stock("W1", "B", 7)));
        agent.put("warehouses", "W1", warehouse("W1"));
        agent.put("stock", "W1/A", stock("W1", "A", 5));
        // At the ERP: W1/B counted again, and a new warehouse W2 holding item A, which the hub has never seen.
        agent.put("stock", "W1/B", stock("W1", "B", 6));
        agent.put("warehouses", "W2", warehouse("W2"));
        agent.put("stock", "W2/A", stock("W2", "A", 1));

        String runId = start();
        Map<String, JsonNode> rows = finished(runId);
        assertThat(rows.get("warehouses").path("repaired").asInt()).isEqualTo(1);
        assertThat(rows.get("stock").path("repaired").asInt()).as(rows.get("stock").toString()).isEqualTo(2);
        assertThat(rows.values()).allSatisfy(r -> assertThat(r.path("error").isNull()).as(r.toString()).isTrue());
        assertThat(hub().get("/ops/erp/" + VENDOR + "/stock/W1/B", "X-API-Key", Keys.OPS).json().path("quantity").decimalValue())
                .isEqualByComparingTo("6");
        assertThat(hub().get("/ops/erp/" + VENDOR + "/stock/W2/A", "X-API-Key", Keys.OPS).status()).isEqualTo(200);
        assertThat(events(runId)).extracting(e -> e.path("kind").asText() + " " + e.path("change").asText() + " " + e.path("key").asText())
                .containsExactlyInAnyOrder("warehouse created W2", "stock updated W1/B", "stock created W2/A");
    }

    @Test
    void theAgentWinsEvenWithAnOlderUpdatedAt() {
        seed(List.of(item("A", "Hub's newer", "2026-11-30T10:00:00Z"), item("B", "Same", "2026-11-30T10:00:00Z")));
        agent.put("items", "A", item("A", "ERP's older", "2019-06-01T08:00:00+02:00"));
        Map<String, JsonNode> rows = finished(start());
        assertThat(rows.get("items").path("repaired").asInt()).isEqualTo(1);
        assertThat(mirror("A").path("label").asText()).isEqualTo("ERP's older");
        assertThat(mirror("A").path("erpUpdatedAt").asText()).isEqualTo("2019-06-01T06:00:00Z");
        // And the agent sending the hub's newer version again in a batch is not stale: the ERP's copy is what counts.
        assertThat(mirror("B").path("label").asText()).isEqualTo("Same");
    }

    @Test
    void aSecondConcurrentReconcileOfTheSameVendorIsRefused() {
        seed(List.of(item("A", "a", "2026-11-30T10:00:00Z")));
        CountDownLatch gate = new CountDownLatch(1);
        agent.gate = gate;
        String first = start();
        assertThat(hub().get("/ops/audit?action=reconcile", "X-API-Key", Keys.OPS).body()).contains("run " + first);
        await().atMost(Duration.ofSeconds(10)).until(() -> !agent.requests.isEmpty());
        HubClient.Res second = hub().postJson("/ops/erp/" + VENDOR + "/reconcile", "{}", "X-API-Key", Keys.OPS);
        assertThat(second.status()).as(second.toString()).isEqualTo(409);
        assertThat(jdbc.queryForObject("SELECT run_id FROM erp_reconcile_lease WHERE vendor = ?", String.class, VENDOR)).isEqualTo(first);
        agent.gate = null;
        gate.countDown();
        finished(first);
        // The finished run let go of the vendor: the next one starts.
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM erp_reconcile_lease WHERE vendor = ?", Long.class, VENDOR)).isZero();
        finished(start());
    }

    @Test
    void anExpiredLeaseOfACrashedInstanceIsTakenOver() {
        jdbc.update("INSERT INTO erp_reconcile_lease (vendor, run_id, owner, expires_at) VALUES (?, 'crashed-run', 'gone', ?)",
                VENDOR, java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).minusMinutes(1));
        finished(start());
    }

    @Test
    void runsAreListedNewestFirst() {
        seed(List.of(item("A", "a", "2026-11-30T10:00:00Z")));
        String first = start();
        finished(first);
        String second = start();
        finished(second);
        JsonNode runs = runs();
        List<String> order = new ArrayList<>();
        runs.forEach(r -> order.add(r.path("runId").asText().equals(second) ? "second " + r.path("kind").asText()
                : "first " + r.path("kind").asText()));
        assertThat(order).containsExactly("second stock", "second items", "second warehouses", "first stock", "first items",
                "first warehouses");
        assertThat(runs.get(0).fieldNames()).toIterable().containsExactly("runId", "startedAt", "finishedAt", "kind", "ranges",
                "requests", "fetched", "drifted", "repaired", "deleted", "error");
    }

    @Test
    void aFailingAgentRecordsTheErrorAndLeavesTheMirrorUntouched() {
        seed(List.of(item("A", "a", "2026-11-30T10:00:00Z"), item("B", "b", "2026-11-30T10:00:00Z")));
        agent.put("items", "A", item("A", "changed", "2026-11-30T11:00:00Z"));
        agent.remove("items", "B");
        List<Map<String, Object>> before = jdbc.queryForList("SELECT * FROM erp_item WHERE vendor = ? ORDER BY erp_id", VENDOR);

        agent.failWith = 500;
        String failed = start();
        assertThat(finished(failed).get("items").path("error").asText()).contains("HTTP 500", "the ERP is down");

        agent.failWith = 302;
        String redirected = start();
        assertThat(finished(redirected).get("items").path("error").asText()).contains("HTTP 302");
        assertThat(agent.requests).noneMatch(r -> r.path().equals("/elsewhere"));

        agent.failWith = 0;
        agent.delayMillis = 4_000;
        String slow = start();
        assertThat(finished(slow).get("items").path("error").asText()).contains("no answer within 2000 ms");

        assertThat(jdbc.queryForList("SELECT * FROM erp_item WHERE vendor = ? ORDER BY erp_id", VENDOR)).isEqualTo(before);
        assertThat(events(failed)).isEmpty();
        assertThat(events(redirected)).isEmpty();
        assertThat(events(slow)).isEmpty();
    }

    @Autowired
    ReconcileSchedule schedule;

    @Autowired
    dev.junction.partner.PartnerRegistry partners;

    @Test
    void theScheduleSkipsAnOfflineAgentAndReconcilesAnOnlineOneOncePerPeriod() {
        dev.junction.partner.Partner vendor = partners.find(VENDOR).orElseThrow();
        // Just registered: its first run is one period (1h) away.
        assertThat(schedule.due(vendor)).isFalse();
        java.time.OffsetDateTime twoHoursAgo = java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).minusHours(2);
        jdbc.update("UPDATE erp_agent SET registered_at = ?, last_heartbeat_at = ? WHERE vendor = ?", twoHoursAgo, twoHoursAgo, VENDOR);
        assertThat(schedule.due(vendor)).isTrue();
        JsonNode skipped = runs();
        assertThat(skipped).hasSize(3).allSatisfy(r -> assertThat(r.path("error").asText()).startsWith("skipped: the agent is offline"));
        assertThat(agent.requests).isEmpty();
        // Skipped counts as this period's run; the agent back online waits for the next period.
        jdbc.update("UPDATE erp_agent SET last_heartbeat_at = ? WHERE vendor = ?", java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC), VENDOR);
        assertThat(schedule.due(vendor)).isFalse();
        jdbc.update("UPDATE erp_reconciliation SET started_at = ? WHERE vendor = ?", twoHoursAgo, VENDOR);
        assertThat(schedule.due(vendor)).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> runs().size() == 6 && !runs().get(0).path("finishedAt").isNull());
        assertThat(runs().get(0).path("error").isNull()).isTrue();
        assertThat(agent.requests).hasSize(3);
    }

    @Test
    void onlyARegisteredVendorsAgentIsReconciled() {
        assertThat(hub().postJson("/ops/erp/nobody/reconcile", "{}", "X-API-Key", Keys.OPS).status()).isEqualTo(404);
        jdbc.update("DELETE FROM erp_agent WHERE vendor = ?", VENDOR);
        assertThat(hub().postJson("/ops/erp/" + VENDOR + "/reconcile", "{}", "X-API-Key", Keys.OPS).status()).isEqualTo(409);
        assertThat(hub().postJson("/ops/erp/" + VENDOR + "/reconcile", "{}").status()).isEqualTo(401);
    }

    @Test
    void driftAcrossTheWholeKeySpaceIsRepairedExactlyWithAtMostTheBoundInFlight() {
        seed(numbered(10_000, "I%05d"));
        // Drift in every part of the key space, so that many ranges are walked down at once: 40 changed (one every 250
        // keys), 10 gone and 10 new between them, and new keys before the first and after the last.
        List<String> changed = new ArrayList<>();
        List<String> gone = new ArrayList<>();
        List<String> added = new ArrayList<>(List.of("A-first", "Z-last"));
        for (int i = 0; i < 40; i++) {
            changed.add(String.format("I%05d", i * 250 + 7));
        }
        for (int i = 0; i < 10; i++) {
            gone.add(String.format("I%05d", i * 1000 + 500));
            added.add(String.format("I%05dx", i * 1000 + 900));
        }
        changed.forEach(k -> agent.put("items", k, item(k, "Changed " + k, "2026-11-30T12:00:00Z")));
        gone.forEach(k -> agent.remove("items", k));
        added.forEach(k -> agent.put("items", k, item(k, "Added " + k, "2026-11-30T12:00:00Z")));
        // Each answer takes a little while, so that a run that can overlap its requests does.
        agent.delayMillis = 20;

        String runId = start();
        JsonNode row = finished(runId).get("items");
        assertThat(row.path("error").isNull()).as(row.toString()).isTrue();
        assertThat(row.path("repaired").asInt()).isEqualTo(changed.size() + added.size());
        assertThat(row.path("deleted").asInt()).isEqualTo(gone.size());
        assertThat(row.path("drifted").asInt()).isEqualTo(changed.size() + added.size() + gone.size());
        assertThat(agent.served()).isEqualTo(row.path("fetched").asInt());
        assertThat(agent.requests.size()).isEqualTo(row.path("requests").asInt() + 2);
        // The bound holds at the agent, and the run did overlap its requests.
        System.out.printf("reconcile 10,000 items, %d drifts spread: %d requests, at most %d in flight%n",
                changed.size() + gone.size() + added.size(), agent.requests.size(), agent.maxInFlight());
        assertThat(agent.maxInFlight()).isBetween(2, PARALLELISM);

        List<JsonNode> events = events(runId);
        List<String> expected = new ArrayList<>();
        changed.forEach(k -> expected.add("updated " + k));
        gone.forEach(k -> expected.add("deleted " + k));
        added.forEach(k -> expected.add("created " + k));
        assertThat(events).extracting(e -> e.path("change").asText() + " " + e.path("key").asText())
                .containsExactlyInAnyOrderElementsOf(expected);
        changed.forEach(k -> assertThat(mirror(k).path("label").asText()).isEqualTo("Changed " + k));
        gone.forEach(k -> assertThat(mirror(k).path("deleted").asBoolean()).as(k).isTrue());
        added.forEach(k -> assertThat(mirror(k).path("label").asText()).isEqualTo("Added " + k));

        // Nothing was missed: the next run agrees at its first checksum.
        agent.delayMillis = 0;
        agent.forget();
        Map<String, JsonNode> second = finished(start());
        assertThat(second.get("items").path("requests").asInt()).isEqualTo(1);
        assertThat(agent.served()).isZero();
    }

    @Test
    void aReadOnlyOpsKeyCannotStartARunAndNothingIsWritten() {
        seed(List.of(item("A", "a", "2026-11-30T10:00:00Z")));
        HubClient.Res res = hub().postJson("/ops/erp/" + VENDOR + "/reconcile", "{}", "X-API-Key", Keys.OPS_READ);
        assertThat(res.status()).as(res.toString()).isEqualTo(403);
        assertThat(res.header("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
        assertThat(res.json().path("detail").asText()).contains("'reader'", "needs the role admin");
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM erp_reconciliation WHERE vendor = ?", Long.class, VENDOR)).isZero();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM erp_reconcile_lease WHERE vendor = ?", Long.class, VENDOR)).isZero();
        assertThat(agent.requests).isEmpty();
        // Reading the runs is what a read key may do.
        assertThat(hub().get("/ops/erp/" + VENDOR + "/reconciliations", "X-API-Key", Keys.OPS_READ).status()).isEqualTo(200);
    }

    @Test
    void aRunThatLosesItsLeaseMidWayWritesNoFurtherRepairs() {
        seed(numbered(200, "I%03d"));
        agent.put("items", "I010", item("I010", "Changed at the ERP", "2026-11-30T11:00:00Z"));
        agent.put("items", "I150", item("I150", "Changed at the ERP", "2026-11-30T11:00:00Z"));
        agent.remove("items", "I099");
        List<Map<String, Object>> before = jdbc.queryForList("SELECT * FROM erp_item WHERE vendor = ? ORDER BY erp_id", VENDOR);

        // The run waits at its first request; meanwhile another instance takes the vendor's lease (as it would once the
        // lease expired during a long pause of this one).
        CountDownLatch gate = new CountDownLatch(1);
        agent.gate = gate;
        String runId = start();
        await().atMost(Duration.ofSeconds(10)).until(() -> !agent.requests.isEmpty());
        jdbc.update("UPDATE erp_reconcile_lease SET run_id = 'other-run', owner = 'other-instance', expires_at = ? WHERE vendor = ?",
                java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).plusMinutes(10), VENDOR);
        agent.gate = null;
        gate.countDown();

        await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (JsonNode r : runs()) {
                if (r.path("runId").asText().equals(runId) && r.path("kind").asText().equals("items")) {
                    return !r.path("finishedAt").isNull();
                }
            }
            return false;
        });
        JsonNode itemsRow = null;
        List<String> kinds = new ArrayList<>();
        for (JsonNode r : runs()) {
            if (r.path("runId").asText().equals(runId)) {
                kinds.add(r.path("kind").asText());
                itemsRow = r.path("kind").asText().equals("items") ? r : itemsRow;
            }
        }
        assertThat(itemsRow.path("error").asText()).contains("lease", "another run took it");
        assertThat(itemsRow.path("repaired").asInt()).isZero();
        assertThat(itemsRow.path("deleted").asInt()).isZero();
        // The mirror as it was, no change event, the remaining kind left alone, and the lease still the other run's.
        assertThat(jdbc.queryForList("SELECT * FROM erp_item WHERE vendor = ? ORDER BY erp_id", VENDOR)).isEqualTo(before);
        assertThat(events(runId)).isEmpty();
        assertThat(kinds).containsExactlyInAnyOrder("items", "warehouses");
        assertThat(jdbc.queryForObject("SELECT run_id FROM erp_reconcile_lease WHERE vendor = ?", String.class, VENDOR))
                .isEqualTo("other-run");
    }
}
