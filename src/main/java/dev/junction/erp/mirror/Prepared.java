package dev.junction.erp.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/**
 * One record of a batch after validation and hashing.
 *
 * @param key the record's key ({@code erpId}, or {@code warehouseErpId/itemErpId}); null when its key fields are invalid
 * @param keyParts the key's column values, in {@link Kind#keyColumns()} order
 * @param columns stored values by column, defaults applied and decimals rounded; meaningful only without problems
 * @param hash the content hash of the record as received; null when it is rejected before hashing
 * @param problems why the record is rejected; empty when it is valid
 */
record Prepared(int index, String key, List<String> keyParts, Map<String, Object> columns, OffsetDateTime updatedAt,
                String hash, JsonNode raw, List<FieldProblem> problems) {

    boolean valid() {
        return problems.isEmpty();
    }

    Object column(String name) {
        return columns.get(name);
    }
}
