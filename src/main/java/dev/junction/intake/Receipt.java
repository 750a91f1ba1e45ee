package dev.junction.intake;

import java.time.Instant;

/** What a partner can read about a message it sent. */
public record Receipt(
        String receiptId,
        String partner,
        String event,
        String status,
        int attempts,
        Instant receivedAt,
        Instant deliveredAt,
        Instant nextAttemptAt,
        String lastError) {}
