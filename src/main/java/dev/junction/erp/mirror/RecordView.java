package dev.junction.erp.mirror;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/**
 * A mirrored record as ops read it and as its change event carries it: fields in camelCase, ERP codes resolved
 * ({@code "unit": {"erpCode","code","label"}}), derived fields, {@code contentHash}, {@code erpUpdatedAt} (UTC) and
 * {@code deleted}. Built from column values, whether read back from the table or about to be written.
 */
final class RecordView {

    /** Writes 12.50 as 12.50, never 12.5 or 1.25E+1: money keeps its scale. */
    static final ObjectMapper JSON = new ObjectMapper().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);
    private static final List<String> CODED = List.of("unit", "vat", "family", "subfamily");

    private RecordView() {}

    /** From a stored row (column name to value, as {@link MirrorStore#read} returns it). */
    static ObjectNode of(Kind kind, Map<String, Object> row, CodeBook codes) {
        ObjectNode view = NODES.objectNode();
        for (String col : kind.keyColumns()) {
            view.put(camel(col), (String) row.get(col));
        }
        for (String col : kind.columns()) {
            Object value = row.get(col);
            if (kind == Kind.ITEM && CODED.contains(col)) {
                view.set(col, coded(col, (String) value, codes));
            } else {
                put(view, camel(col), value);
            }
        }
        view.put("contentHash", (String) row.get("content_hash"));
        OffsetDateTime erpUpdatedAt = (OffsetDateTime) row.get("erp_updated_at");
        view.put("erpUpdatedAt", erpUpdatedAt == null ? null : erpUpdatedAt.toInstant().toString());
        view.put("deleted", Boolean.TRUE.equals(row.get("deleted")));
        return view;
    }

    /** From a record about to be written. */
    static ObjectNode of(Kind kind, Prepared p, CodeBook codes) {
        Map<String, Object> row = new java.util.HashMap<>(p.columns());
        for (int i = 0; i < kind.keyColumns().size(); i++) {
            row.put(kind.keyColumns().get(i), p.keyParts().get(i));
        }
        row.put("content_hash", p.hash());
        row.put("erp_updated_at", p.updatedAt());
        row.put("deleted", false);
        return of(kind, row, codes);
    }

    private static ObjectNode coded(String type, String erpCode, CodeBook codes) {
        if (erpCode == null) {
            return null;
        }
        ObjectNode node = NODES.objectNode();
        node.put("erpCode", erpCode);
        CodeBook.Code code = codes.find(type, erpCode).filter(CodeBook.Code::active).orElse(null);
        node.put("code", code == null ? null : code.code());
        node.put("label", code == null ? null : code.label());
        return node;
    }

    private static void put(ObjectNode view, String name, Object value) {
        if (value == null) {
            view.putNull(name);
        } else if (value instanceof BigDecimal d) {
            view.put(name, d);
        } else if (value instanceof Boolean b) {
            view.put(name, b);
        } else if (value instanceof Number n) {
            view.put(name, n.intValue());
        } else {
            view.put(name, value.toString());
        }
    }

    /** {@code price_excl_vat} to {@code priceExclVat}. */
    static String camel(String column) {
        StringBuilder out = new StringBuilder(column.length());
        boolean upper = false;
        for (char c : column.toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }
}
