package dev.junction.erp.mirror;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The one public door to {@link ContentHash} inside the erp module, for {@link dev.junction.erp.RecordHashes}; other
 * modules use that class (erp.mirror is internal to the erp module).
 */
public final class ContentHashes {

    private ContentHashes() {}

    /** Lowercase hex SHA-256 of the record's RFC 8785 canonical JSON without its top-level {@code updatedAt}. */
    public static String of(JsonNode record) {
        return ContentHash.of(record);
    }
}
