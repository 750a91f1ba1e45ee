package dev.junction.intake;

import java.time.Instant;

/** A message as committed to the journal: everything delivery needs to run its route. */
public record AcceptedMessage(
        String receiptId,
        String partner,
        String event,
        String route,
        String correlationId,
        String contentType,
        byte[] payload,
        Instant receivedAt) {}
