package dev.junction.erp.mirror;

import java.util.List;

/**
 * The three kinds of record an agent pushes, with what differs between them: where they come in, the event their
 * changes emit, their table, key and stored columns (in the order {@link RecordReader}s fill them).
 */
public enum Kind {
    ITEM("item", "items", "item-changed", "erp_item", List.of("erp_id"),
            List.of("sku", "label", "unit", "vat", "family", "subfamily", "price_excl_vat", "price_incl_vat", "vat_amount",
                    "manage_stock", "allow_negative_stock", "barcode")),
    WAREHOUSE("warehouse", "warehouses", "warehouse-changed", "erp_warehouse", List.of("erp_id"),
            List.of("name", "is_default", "is_main", "type")),
    STOCK("stock", "stock", "stock-changed", "erp_stock", List.of("warehouse_erp_id", "item_erp_id"),
            List.of("quantity", "ordered_quantity", "pump", "min_stock", "max_stock", "stock_value"));

    /** At most this many records per batch (ERP-AGENTS.md); more is a 413. */
    static final int MAX_RECORDS = 1000;

    private final String label;
    private final String plural;
    private final String event;
    private final String table;
    private final List<String> keyColumns;
    private final List<String> columns;

    Kind(String label, String plural, String event, String table, List<String> keyColumns, List<String> columns) {
        this.label = label;
        this.plural = plural;
        this.event = event;
        this.table = table;
        this.keyColumns = keyColumns;
        this.columns = columns;
    }

    /** {@code item}, {@code warehouse} or {@code stock}: the {@code kind} of a change event. */
    public String label() {
        return label;
    }

    /** The path segment ({@code /agents/{vendor}/items/batch}) and the batch's array field ({@code {"items":[...]}}). */
    public String plural() {
        return plural;
    }

    /** The vendor's event a created or updated record emits, when its descriptor declares it. */
    String event() {
        return event;
    }

    String table() {
        return table;
    }

    List<String> keyColumns() {
        return keyColumns;
    }

    List<String> columns() {
        return columns;
    }

    /** Keys of several columns (stock) are joined with '/', which record ids may therefore not contain. */
    static String key(List<String> parts) {
        return String.join("/", parts);
    }
}
