package dev.junction.erp.mirror;

import static dev.junction.erp.mirror.ContentHashTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Step 1 of the pipeline, one reason at a time: each problem names its field, and valid records get their defaults. */
class ValidationTest {

    static final String ITEM = """
            {"erpId":"A1","sku":"SKU-1","label":"Pommes","unit":"KG","vat":"V55","family":"FRU","subfamily":"POM",
             "priceExclVat":10.00,"priceInclVat":10.55,"updatedAt":"2026-11-30T10:00:00+01:00"}""";

    static Prepared item(String json) {
        return Validation.prepare(Kind.ITEM, 0, json(json));
    }

    /** The item with one field replaced (a JSON value) or removed (null). */
    static String itemWith(String field, String value) {
        com.fasterxml.jackson.databind.node.ObjectNode node = (com.fasterxml.jackson.databind.node.ObjectNode) json(ITEM);
        if (value == null) {
            node.remove(field);
        } else {
            node.set(field, json(value));
        }
        return node.toString();
    }

    @Test
    void aValidItemGetsItsDefaultsAndDerivedVatAmount() {
        Prepared p = item(ITEM);
        assertThat(p.problems()).isEmpty();
        assertThat(p.key()).isEqualTo("A1");
        assertThat(p.column("vat_amount")).isEqualTo(new BigDecimal("0.55"));
        assertThat(p.column("price_excl_vat")).isEqualTo(new BigDecimal("10.00"));
        assertThat(p.column("manage_stock")).isEqualTo(true);
        assertThat(p.column("allow_negative_stock")).isEqualTo(false);
        assertThat(p.column("barcode")).isNull();
        assertThat(p.hash()).hasSize(64);
    }

    @ParameterizedTest(name = "{0} = {1}: {2}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            "erpId|-|is required",
            "erpId|\"\"|must not be empty",
            "erpId|42|must be a string",
            "erpId|\"A/1\"|must not contain '/'",
            "sku|-|is required",
            "label|-|is required",
            "label|\"a\\u0000b\"|must not contain control characters",
            "unit|-|is required",
            "vat|null|is required",
            "family|7|must be a string",
            "priceExclVat|-|is required",
            "priceExclVat|\"10.00\"|must be a number",
            "priceExclVat|-1|must be at least 0",
            "priceInclVat|9.99|must be at least priceExclVat (10.00)",
            "priceInclVat|1e16|must be less than 1000000000000000 in absolute value",
            "manageStock|\"yes\"|must be true or false",
            "updatedAt|-|is required",
            "updatedAt|\"2026-11-30T10:00:00\"|must be an ISO-8601 date-time with an offset, like 2026-11-30T09:15:00+01:00",
            "updatedAt|1764493200|must be an ISO-8601 date-time with an offset, like 2026-11-30T09:15:00+01:00",
    })
    void anInvalidItemIsRejectedNamingTheField(String field, String value, String message) {
        Prepared p = item(itemWith(field, value));
        assertThat(p.problems()).containsExactly(new FieldProblem(field, message));
    }

    @Test
    void everyProblemOfARecordIsReportedAtOnce() {
        Prepared p = item("{\"erpId\":\"A1\",\"priceExclVat\":\"x\"}");
        assertThat(p.problems()).extracting(FieldProblem::field)
                .containsExactly("sku", "label", "unit", "vat", "priceExclVat", "priceInclVat", "updatedAt");
    }

    @Test
    void aRecordThatIsNotAnObjectIsRejected() {
        Prepared p = Validation.prepare(Kind.WAREHOUSE, 3, json("[1]"));
        assertThat(p.index()).isEqualTo(3);
        assertThat(p.key()).isNull();
        assertThat(p.problems()).containsExactly(new FieldProblem("", "a record must be a JSON object"));
    }

    @Test
    void decimalsAreRoundedHalfUpToTheirScaleWithoutADouble() {
        Prepared p = item(itemWith("priceExclVat", "10.005").replace("10.55", "10.0149999999999999999"));
        assertThat(p.column("price_excl_vat")).isEqualTo(new BigDecimal("10.01"));
        assertThat(p.column("price_incl_vat")).isEqualTo(new BigDecimal("10.01"));
        assertThat(p.column("vat_amount")).isEqualTo(new BigDecimal("0.00"));
    }

    @Test
    void aWarehouseTypeIsZeroOrOne() {
        String ok = "{\"erpId\":\"W1\",\"name\":\"Main\",\"type\":1,\"updatedAt\":\"2026-11-30T10:00:00Z\"}";
        assertThat(Validation.prepare(Kind.WAREHOUSE, 0, json(ok)).problems()).isEmpty();
        Prepared bad = Validation.prepare(Kind.WAREHOUSE, 0, json(ok.replace("\"type\":1", "\"type\":2")));
        assertThat(bad.problems()).containsExactly(new FieldProblem("type", "must be one of [0, 1]"));
        Prepared defaults = Validation.prepare(Kind.WAREHOUSE, 0, json(ok.replace(",\"type\":1", "")));
        assertThat(defaults.columns()).containsEntry("type", 0).containsEntry("is_default", false).containsEntry("is_main", false);
    }

    @Test
    void stockValueIsQuantityTimesPumpFromTheStoredRoundedFigures() {
        Prepared p = Validation.prepare(Kind.STOCK, 0, json("""
                {"warehouseErpId":"W1","itemErpId":"A1","quantity":3.33335,"pump":1.5,"updatedAt":"2026-11-30T10:00:00Z"}"""));
        assertThat(p.problems()).isEmpty();
        assertThat(p.key()).isEqualTo("W1/A1");
        assertThat(p.keyParts()).isEqualTo(List.of("W1", "A1"));
        assertThat(p.column("quantity")).isEqualTo(new BigDecimal("3.3334"));
        assertThat(p.column("stock_value")).isEqualTo(new BigDecimal("5.00"));
        assertThat(p.column("ordered_quantity")).isEqualTo(new BigDecimal("0.0000"));
        assertThat(p.column("max_stock")).isNull();
    }

    @Test
    void stockMayBeNegativeButNotItsThresholds() {
        Prepared p = Validation.prepare(Kind.STOCK, 0, json("""
                {"warehouseErpId":"W1","itemErpId":"A1","quantity":-2,"minStock":5,"maxStock":1,"pump":-1,
                 "updatedAt":"2026-11-30T10:00:00Z"}"""));
        assertThat(p.problems()).containsExactly(new FieldProblem("pump", "must be at least 0"),
                new FieldProblem("maxStock", "must be at least minStock (5.0000)"));
    }
}
