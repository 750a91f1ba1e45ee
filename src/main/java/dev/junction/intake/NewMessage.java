package dev.junction.intake;

/**
 * A message to append to the journal.
 *
 * @param kind webhook, sync or agent: the journal serves every traffic kind alike
 * @param idempotencyKey null when the message is not deduplicated
 * @param headers safe inbound headers as a JSON object
 */
public record NewMessage(
        String kind,
        String partner,
        String event,
        String route,
        String idempotencyKey,
        String correlationId,
        String contentType,
        byte[] payload,
        String headers) {}
