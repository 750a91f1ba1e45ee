package dev.junction.intake;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import java.time.Instant;

/**
 * What a partner can read about a message it sent.
 *
 * @param result for an order an ERP agent completed, {@code {"erpReference","erpDocumentId"}} (raw JSON); else absent
 */
public record Receipt(
        String receiptId,
        String partner,
        String event,
        String status,
        int attempts,
        Instant receivedAt,
        Instant deliveredAt,
        Instant nextAttemptAt,
        String lastError,
        @JsonRawValue @JsonInclude(JsonInclude.Include.NON_NULL) String result) {}
