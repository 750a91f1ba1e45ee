package dev.junction.partner;

import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;

/** Where an event's idempotency key is read from: {@code header:<Name>} or {@code jsonpath:<expression>}. */
public sealed interface IdempotencyKeySource {

    IdempotencyKeySource DEFAULT = new Header("Idempotency-Key");

    /** The default of a partner whose webhooks are signed: Standard Webhooks' message id, which the signature covers. */
    IdempotencyKeySource WEBHOOK_ID = new Header(StandardWebhooks.ID);

    /** A request header; a request without it is accepted without deduplication. */
    record Header(String name) implements IdempotencyKeySource {}

    /** A value in the payload; a payload without it is rejected, since the integrator declared it always present. */
    record Json(String expression, JsonPath path) implements IdempotencyKeySource {}

    static IdempotencyKeySource parse(String spec) {
        if (spec.startsWith("header:")) {
            return new Header(spec.substring("header:".length()));
        }
        if (spec.startsWith("jsonpath:")) {
            String expression = spec.substring("jsonpath:".length());
            JsonPath path;
            try {
                path = JsonPath.compile(expression);
            } catch (RuntimeException e) {
                // The library reports some syntax errors as bare index exceptions; those messages help nobody.
                String why = e instanceof InvalidPathException && e.getMessage() != null ? ": " + e.getMessage() : "";
                throw new IllegalArgumentException("'" + expression + "' is not a valid JSONPath expression" + why);
            }
            if (!path.isDefinite()) {
                throw new IllegalArgumentException("'" + expression + "' may match several values; use a path to one value");
            }
            return new Json(expression, path);
        }
        throw new IllegalArgumentException("'" + spec + "' must start with header: or jsonpath:");
    }
}
