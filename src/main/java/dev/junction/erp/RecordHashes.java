package dev.junction.erp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.erp.mirror.ContentHashes;

/**
 * A record's content hash exactly as the hub's ingest computes it (ERP-AGENTS.md, "The pipeline"), for code that
 * plays the agent's side of the contract (the sandbox agent's reconcile checksums), so both sides never disagree.
 */
public final class RecordHashes {

    private RecordHashes() {}

    /** Lowercase hex SHA-256 of the record's RFC 8785 (JCS) canonical JSON without its top-level {@code updatedAt}. */
    public static String contentHash(JsonNode record) {
        return ContentHashes.of(record);
    }
}
