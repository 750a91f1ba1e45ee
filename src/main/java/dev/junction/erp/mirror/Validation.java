package dev.junction.erp.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Steps 1 and 2 of the pipeline: validates a record (required fields, types, ranges; ERP-AGENTS.md "Records"), derives
 * the stored fields (item {@code vatAmount}, stock {@code stockValue}) and computes its content hash.
 */
final class Validation {

    private static final int MAX_TEXT = 500;

    private Validation() {}

    static Prepared prepare(Kind kind, int index, JsonNode record) {
        if (record == null || !record.isObject()) {
            return new Prepared(index, null, List.of(), java.util.Map.of(), null, null, record,
                    List.of(new FieldProblem("", "a record must be a JSON object")));
        }
        RecordReader in = new RecordReader(record);
        List<String> keyParts = switch (kind) {
            case ITEM -> item(in);
            case WAREHOUSE -> warehouse(in);
            case STOCK -> stock(in);
        };
        OffsetDateTime updatedAt = in.timestamp(ContentHash.TIMESTAMP);
        String key = keyParts.contains(null) ? null : Kind.key(keyParts);
        String hash = null;
        try {
            hash = ContentHash.of(record);
        } catch (UncheckedIOException e) {
            in.problem("", e.getMessage());
        }
        return new Prepared(index, key, keyParts, in.columns(), updatedAt, hash, record, List.copyOf(in.problems()));
    }

    private static List<String> item(RecordReader in) {
        String id = in.id("erpId", "erp_id");
        in.text("sku", "sku", true, RecordReader.MAX_ID);
        in.text("label", "label", true, MAX_TEXT);
        in.text("unit", "unit", true, RecordReader.MAX_ID);
        in.text("vat", "vat", true, RecordReader.MAX_ID);
        in.text("family", "family", false, RecordReader.MAX_ID);
        in.text("subfamily", "subfamily", false, RecordReader.MAX_ID);
        BigDecimal excl = in.money("priceExclVat", "price_excl_vat", true);
        BigDecimal incl = in.money("priceInclVat", "price_incl_vat", true);
        if (excl != null && incl != null && incl.compareTo(excl) < 0) {
            in.problem("priceInclVat", "must be at least priceExclVat (" + excl.toPlainString() + ")");
        }
        in.columns().put("vat_amount", excl == null || incl == null ? null : incl.subtract(excl));
        in.bool("manageStock", "manage_stock", true);
        in.bool("allowNegativeStock", "allow_negative_stock", false);
        in.text("barcode", "barcode", false, RecordReader.MAX_ID);
        return keys(id);
    }

    private static List<String> warehouse(RecordReader in) {
        String id = in.id("erpId", "erp_id");
        in.text("name", "name", true, MAX_TEXT);
        in.bool("isDefault", "is_default", false);
        in.bool("isMain", "is_main", false);
        in.choice("type", "type", 0, 0, 1);
        return keys(id);
    }

    private static List<String> stock(RecordReader in) {
        String warehouse = in.id("warehouseErpId", "warehouse_erp_id");
        String item = in.id("itemErpId", "item_erp_id");
        // Stock may go below zero in an ERP (items with allowNegativeStock); costs and thresholds may not.
        BigDecimal quantity = in.quantity("quantity", "quantity", true, null, true);
        in.quantity("orderedQuantity", "ordered_quantity", false, BigDecimal.ZERO, false);
        BigDecimal pump = in.quantity("pump", "pump", false, BigDecimal.ZERO, false);
        BigDecimal min = in.quantity("minStock", "min_stock", false, BigDecimal.ZERO, false);
        BigDecimal max = in.quantity("maxStock", "max_stock", false, null, false);
        if (min != null && max != null && max.compareTo(min) < 0) {
            in.problem("maxStock", "must be at least minStock (" + min.toPlainString() + ")");
        }
        // From the stored (rounded) quantity and cost, so the mirror's three figures always agree.
        in.columns().put("stock_value", quantity == null || pump == null ? null : quantity.multiply(pump).setScale(2, RoundingMode.HALF_UP));
        return keys(warehouse, item);
    }

    private static List<String> keys(String... parts) {
        List<String> list = new ArrayList<>(parts.length);
        for (String p : parts) {
            list.add(p);
        }
        return list;
    }
}
