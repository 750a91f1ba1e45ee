package dev.junction.partner;

import com.networknt.schema.JsonSchema;
import java.util.Optional;

/**
 * An event a partner may send, and how the hub handles it.
 *
 * @param route id of the Camel route that delivers it
 * @param schema compiled JSON Schema of the payload, when the descriptor names one
 * @param idempotencyKey where the idempotency key of a request is found
 */
public record PartnerEvent(String name, String route, Optional<JsonSchema> schema, IdempotencyKeySource idempotencyKey) {}
