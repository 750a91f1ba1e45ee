package dev.junction.erp.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.support.ErpHubTest;
import dev.junction.support.HubClient;
import dev.junction.support.Keys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * ERP code mappings (ERP-AGENTS.md) over HTTP against a whole hub, asserting the answers and the rows; each subclass
 * runs it on one database. The real export of ../shared/erp/item-mapping.json is the fixture.
 */
abstract class MappingContract extends ErpHubTest {

    static final Path EXPORT = Path.of("../shared/erp/item-mapping.json");
    static final String FRESH_FOODS_ID = "971a1d7b-8cd4-41d9-925f-f658deb6efa5";
    static final String BREWERY_ID = "5b0c7d2e-brewery";
    static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    Mappings mappings;

    @DynamicPropertySource
    static void readOnlyOpsKey(DynamicPropertyRegistry registry) {
        registry.add("junction.ops-keys[0].id", () -> "reader");
        registry.add("junction.ops-keys[0].sha256", () -> Keys.sha256(Keys.OPS_READ));
        registry.add("junction.ops-keys[0].role", () -> "read");
    }

    @BeforeEach
    void noMappingsYet() {
        jdbc.update("DELETE FROM erp_mapping");
        jdbc.update("DELETE FROM erp_mapping_revision");
        jdbc.update("DELETE FROM ops_audit WHERE action = 'mapping-import'");
    }

    static String shippedExport() {
        if (!Files.isRegularFile(EXPORT)) {
            throw new AssertionError("The shipped mapping export " + EXPORT.toAbsolutePath().normalize()
                    + " is missing: these tests need ../shared/erp/item-mapping.json beside the project folder");
        }
        try {
            return Files.readString(EXPORT, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("Cannot read " + EXPORT.toAbsolutePath().normalize(), e);
        }
    }

    HubClient.Res importExport(String json) {
        return opsPost("/ops/erp/mappings/import", json);
    }

    JsonNode imported(String json) {
        HubClient.Res res = importExport(json);
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        return res.json();
    }

    long rows() {
        return jdbc.queryForObject("SELECT COUNT(*) FROM erp_mapping", Long.class);
    }

    Long revision(String vendor) {
        List<Long> r = jdbc.queryForList("SELECT revision FROM erp_mapping_revision WHERE vendor = ?", Long.class, vendor);
        return r.isEmpty() ? null : r.get(0);
    }

    long imports() {
        return jdbc.queryForObject("SELECT COUNT(*) FROM ops_audit WHERE action = 'mapping-import'", Long.class);
    }

    HubClient.Res resolve(String vendor, String type, String erpCode) {
        return opsGet("/ops/erp/mappings/resolve?vendor=" + vendor + "&type=" + type + "&erpCode=" + erpCode);
    }

    static ObjectNode entry(String vendorId, String type, String erpCode, String code, String label) {
        ObjectNode e = JSON.createObjectNode().put("vendorId", vendorId).put("mappingType", type).put("erpCode", erpCode);
        return e.put("restoCode", code).put("restoLabel", label).put("isActive", true);
    }

    @Test
    void importsTheShippedExportSkippingTheEntryWithoutErpCode() {
        JsonNode report = imported(shippedExport());

        assertThat(report.path("imported").asInt()).isEqualTo(102);
        assertThat(report.path("updated").asInt()).isZero();
        assertThat(report.path("unchanged").asInt()).isZero();
        assertThat(report.path("skipped").asInt()).isEqualTo(1);
        assertThat(JSON.convertValue(report.path("byType"), Map.class))
                .isEqualTo(Map.of("unit", 38, "vat", 22, "family", 7, "subfamily", 35));
        JsonNode skipped = report.path("skippedReasons");
        assertThat(skipped).hasSize(1);
        assertThat(skipped.get(0).path("vendorId").asText()).isEqualTo(FRESH_FOODS_ID);
        assertThat(skipped.get(0).path("mappingType").asText()).isEqualTo("unit");
        assertThat(skipped.get(0).path("erpCode").asText()).isEmpty();
        assertThat(skipped.get(0).path("reason").asText()).isEqualTo("erpCode is empty");
        assertThat(skipped.get(0).path("index").asInt()).isBetween(0, 102);

        assertThat(rows()).isEqualTo(102);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM erp_mapping WHERE vendor = 'fresh-foods' AND type = 'unit'", Long.class))
                .isEqualTo(38);
        Map<String, Object> kgRow = jdbc.queryForMap(
                "SELECT code, label, active FROM erp_mapping WHERE vendor = 'fresh-foods' AND type = 'unit' AND erp_code = 'KG'");
        assertThat(List.of(kgRow.get("code"), kgRow.get("label"), kgRow.get("active"))).containsExactly("unit_kg_rm", "KILOGRAMME", true);
        assertThat(revision("fresh-foods")).isEqualTo(1);
        Map<String, Object> audit = jdbc.queryForMap("SELECT actor, reason FROM ops_audit WHERE action = 'mapping-import'");
        assertThat(audit.get("actor")).as("the ops key id").isEqualTo("env");
        assertThat(audit.get("reason")).isEqualTo("imported 102, updated 0, unchanged 0, skipped 1");

        HubClient.Res kg = resolve("fresh-foods", "unit", "KG");
        assertThat(kg.status()).as(kg.toString()).isEqualTo(200);
        assertThat(kg.json().path("code").asText()).isEqualTo("unit_kg_rm");
        assertThat(kg.json().path("label").asText()).isEqualTo("KILOGRAMME");
        assertThat(kg.json().path("active").asBoolean()).isTrue();
    }

    @Test
    void importingTheSameExportAgainChangesNothing() {
        imported(shippedExport());
        String firstUpdatedAt = jdbc.queryForObject("SELECT MAX(updated_at) FROM erp_mapping", Object.class).toString();

        JsonNode again = imported(shippedExport());

        assertThat(again.path("imported").asInt()).isZero();
        assertThat(again.path("updated").asInt()).isZero();
        assertThat(again.path("unchanged").asInt()).isEqualTo(102);
        assertThat(again.path("skipped").asInt()).isEqualTo(1);
        assertThat(JSON.convertValue(again.path("byType"), Map.class)).isEqualTo(Map.of("unit", 0, "vat", 0, "family", 0, "subfamily", 0));
        assertThat(rows()).isEqualTo(102);
        assertThat(revision("fresh-foods")).as("nothing changed, so batches keep their cached copy").isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT MAX(updated_at) FROM erp_mapping", Object.class).toString()).isEqualTo(firstUpdatedAt);
        assertThat(imports()).as("each import is audited, even one that changed nothing").isEqualTo(2);
    }

    @Test
    void aChangedLabelIsUpdatedAndTheNextResolveSeesIt() throws IOException {
        imported(shippedExport());
        assertThat(mappings.of("fresh-foods").find("unit", "KG")).map(Mapping::label).contains("KILOGRAMME");
        assertThat(resolve("fresh-foods", "unit", "KG").json().path("label").asText()).isEqualTo("KILOGRAMME");

        ArrayNode edited = (ArrayNode) JSON.readTree(shippedExport());
        edited.forEach(e -> {
            if ("unit".equals(e.path("mappingType").asText()) && "KG".equals(e.path("erpCode").asText())) {
                ((ObjectNode) e).put("restoLabel", "KILO");
            }
        });
        JsonNode report = imported(edited.toString());

        assertThat(report.path("imported").asInt()).isZero();
        assertThat(report.path("updated").asInt()).isEqualTo(1);
        assertThat(report.path("unchanged").asInt()).isEqualTo(101);
        assertThat(report.path("byType").path("unit").asInt()).isEqualTo(1);
        assertThat(report.path("byType").path("vat").asInt()).isZero();
        assertThat(jdbc.queryForObject("SELECT label FROM erp_mapping WHERE vendor = 'fresh-foods' AND type = 'unit' AND erp_code = 'KG'",
                String.class)).isEqualTo("KILO");
        assertThat(revision("fresh-foods")).isEqualTo(2);
        assertThat(mappings.of("fresh-foods").find("unit", "KG")).map(Mapping::label).contains("KILO");
        assertThat(resolve("fresh-foods", "unit", "KG").json().path("label").asText()).isEqualTo("KILO");
    }

    /** Another instance's import reaches this one only through the database: a changed row and a bumped revision. */
    @Test
    void anotherInstancesImportIsSeenThroughTheRevisionDespiteTheLocalCache() {
        imported(shippedExport());
        assertThat(mappings.of("fresh-foods").find("unit", "KG")).map(Mapping::code).contains("unit_kg_rm");

        jdbc.update("UPDATE erp_mapping SET code = 'unit_kilo' WHERE vendor = 'fresh-foods' AND type = 'unit' AND erp_code = 'KG'");
        assertThat(mappings.of("fresh-foods").find("unit", "KG")).as("same revision: the cached copy")
                .map(Mapping::code).contains("unit_kg_rm");

        jdbc.update("UPDATE erp_mapping_revision SET revision = revision + 1 WHERE vendor = 'fresh-foods'");
        assertThat(mappings.of("fresh-foods").find("unit", "KG")).map(Mapping::code).contains("unit_kilo");
        assertThat(resolve("fresh-foods", "unit", "KG").json().path("code").asText()).isEqualTo("unit_kilo");
    }

    @Test
    void entriesItCannotUseAreSkippedWithTheirReason() {
        ArrayNode export = JSON.createArrayNode();
        export.add(entry("no-such-vendor", "unit", "KG", "unit_kg", "Kilo"));
        export.add(entry(FRESH_FOODS_ID, "colour", "RED", "red", "Red"));
        export.add(entry(FRESH_FOODS_ID, "unit", "PC", null, "Piece"));
        export.add(entry(FRESH_FOODS_ID, "unit", "X".repeat(129), "unit_x", "X"));
        export.add(entry(FRESH_FOODS_ID, "vat", "1", "vat_1", "first"));
        export.add(entry(FRESH_FOODS_ID, "vat", "1", "vat_20", "second"));
        export.add(entry(BREWERY_ID, "family", "BEER", "fam_beer", "Bières").put("isActive", false));
        export.add(JSON.createObjectNode().put("vendorId", BREWERY_ID).put("mappingType", "unit").put("erpCode", "L")
                .put("restoCode", "unit_l"));

        JsonNode report = imported(export.toString());

        assertThat(report.path("imported").asInt()).isEqualTo(3);
        assertThat(report.path("skipped").asInt()).isEqualTo(5);
        List<String> reasons = new ArrayList<>();
        report.path("skippedReasons").forEach(s -> reasons.add(s.path("index").asInt() + " " + s.path("reason").asText()));
        assertThat(reasons).containsExactly(
                "0 no vendor descriptor declares vendorId 'no-such-vendor'",
                "1 mappingType 'colour' is not one of unit, vat, family, subfamily",
                "2 restoCode is missing",
                "3 erpCode is longer than 128 characters",
                "4 superseded by entry 5 with the same vendorId, mappingType and erpCode (the last one wins)");
        assertThat(report.path("skippedReasons").get(0).path("vendorId").asText()).isEqualTo("no-such-vendor");
        assertThat(report.path("skippedReasons").get(0).path("erpCode").asText()).isEqualTo("KG");

        assertThat(jdbc.queryForObject("SELECT code FROM erp_mapping WHERE vendor = 'fresh-foods' AND type = 'vat' AND erp_code = '1'",
                String.class)).isEqualTo("vat_20");
        Map<String, Object> beer = jdbc.queryForMap("SELECT label, active FROM erp_mapping WHERE vendor = 'brewery' AND erp_code = 'BEER'");
        assertThat(Arrays.asList(beer.get("label"), beer.get("active"))).containsExactly("Bières", false);
        Map<String, Object> litre = jdbc.queryForMap("SELECT label, active FROM erp_mapping WHERE vendor = 'brewery' AND erp_code = 'L'");
        assertThat(Arrays.asList(litre.get("label"), litre.get("active"))).as("isActive defaults to true, restoLabel is optional")
                .containsExactly(null, true);
        assertThat(rows()).isEqualTo(3);
        assertThat(revision("fresh-foods")).isEqualTo(1);
        assertThat(revision("brewery")).isEqualTo(1);
    }

    @Test
    void aReadKeyListsButCannotImport() {
        HubClient.Res refused = hub().postJson("/ops/erp/mappings/import", shippedExport(), "X-API-Key", Keys.OPS_READ);
        assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
        assertThat(refused.json().path("detail").asText()).contains("reader").contains("admin");
        assertThat(rows()).isZero();
        assertThat(imports()).isZero();

        imported(shippedExport());
        HubClient.Res list = hub().get("/ops/erp/mappings?vendor=fresh-foods", "X-API-Key", Keys.OPS_READ);
        assertThat(list.status()).as(list.toString()).isEqualTo(200);
        assertThat(list.json()).hasSize(102);
    }

    @Test
    void partnerAndAgentKeysAreRefused() {
        for (String[] key : List.of(new String[] {"X-API-Key", Keys.MARKET}, new String[] {"Authorization", "Bearer " + Keys.FRESH_FOODS_AGENT})) {
            HubClient.Res post = hub().postJson("/ops/erp/mappings/import", shippedExport(), key);
            assertThat(post.status()).as(post.toString()).isEqualTo(403);
            HubClient.Res get = hub().get("/ops/erp/mappings", key);
            assertThat(get.status()).as(get.toString()).isEqualTo(403);
        }
        assertThat(rows()).isZero();
        assertThat(imports()).isZero();
    }

    @Test
    void aBodyThatIsNotAJsonArrayOrTooLargeIsAProblem() {
        HubClient.Res malformed = importExport("[{\"vendorId\": ");
        assertThat(malformed.status()).as(malformed.toString()).isEqualTo(400);
        assertThat(malformed.header("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));

        HubClient.Res object = importExport("{\"vendorId\":\"" + FRESH_FOODS_ID + "\"}");
        assertThat(object.status()).as(object.toString()).isEqualTo(400);
        assertThat(object.json().path("detail").asText()).contains("JSON array").contains("not object");

        HubClient.Res text = hub().post("/ops/erp/mappings/import", "text/plain", shippedExport().getBytes(StandardCharsets.UTF_8),
                "X-API-Key", Keys.OPS);
        assertThat(text.status()).as(text.toString()).isEqualTo(415);

        String oversized = "POST /ops/erp/mappings/import HTTP/1.1\r\nHost: localhost\r\nX-API-Key: " + Keys.OPS
                + "\r\nContent-Type: application/json\r\nContent-Length: " + (MappingController.MAX_IMPORT_BYTES + 1) + "\r\n\r\n[";
        assertThat(hub().raw(oversized.getBytes(StandardCharsets.US_ASCII))).as("refused before the body is read").isEqualTo(413);

        assertThat(rows()).isZero();
        assertThat(imports()).as("refused bodies are not imports").isZero();
    }

    @Test
    void listsInOrderAndFiltersByType() {
        imported(shippedExport());

        HubClient.Res vat = opsGet("/ops/erp/mappings?vendor=fresh-foods&type=vat");
        assertThat(vat.status()).as(vat.toString()).isEqualTo(200);
        assertThat(vat.json()).hasSize(22);
        List<String> codes = new ArrayList<>();
        vat.json().forEach(m -> {
            assertThat(m.path("vendor").asText()).isEqualTo("fresh-foods");
            assertThat(m.path("type").asText()).isEqualTo("vat");
            codes.add(m.path("erpCode").asText());
        });
        assertThat(codes).isSorted();
        JsonNode first = vat.json().get(0);
        assertThat(first.path("erpCode").asText()).isEqualTo("1");
        assertThat(first.has("code") && first.has("label") && first.path("active").isBoolean() && first.path("updatedAt").isTextual()).isTrue();

        HubClient.Res all = opsGet("/ops/erp/mappings");
        assertThat(all.json()).hasSize(102);
        List<String> types = new ArrayList<>();
        all.json().forEach(m -> types.add(m.path("type").asText()));
        assertThat(types.stream().distinct().toList()).as("ordered by type").containsExactly("family", "subfamily", "unit", "vat");

        assertThat(opsGet("/ops/erp/mappings?type=colour").status()).isEqualTo(400);
        assertThat(opsGet("/ops/erp/mappings?vendor=nobody").status()).isEqualTo(404);
        assertThat(opsGet("/ops/erp/mappings?vendor=market").status()).as("a partner without an agent is no vendor").isEqualTo(404);
        assertThat(opsGet("/ops/erp/mappings?vendor=brewery").json()).isEmpty();
    }

    @Test
    void resolvingAnUnknownCodeIsA404() {
        imported(shippedExport());

        HubClient.Res unknown = resolve("fresh-foods", "unit", "NOPE");
        assertThat(unknown.status()).as(unknown.toString()).isEqualTo(404);
        assertThat(unknown.json().path("detail").asText()).contains("NOPE");
        assertThat(resolve("fresh-foods", "vat", "KG").status()).as("codes are per type").isEqualTo(404);
        assertThat(resolve("nobody", "unit", "KG").status()).isEqualTo(404);
        assertThat(resolve("fresh-foods", "colour", "KG").status()).isEqualTo(400);
        assertThat(opsGet("/ops/erp/mappings/resolve?vendor=fresh-foods&type=unit").status()).isEqualTo(400);
    }
}
