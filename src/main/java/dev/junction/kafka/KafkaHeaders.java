package dev.junction.kafka;

import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.Exchange;
import org.apache.camel.spi.HeaderFilterStrategy;

/**
 * The exchange headers a published record carries. Camel copies every exchange header to the Kafka record by default,
 * and a route's headers may hold a target's credentials (an {@code Authorization} set for an HTTP call before the
 * publish); topics are read by other teams, so only the message's identity travels. An allow-list, not a deny-list:
 * a new secret-bearing header name must not leak because nobody thought to list it.
 */
final class KafkaHeaders implements HeaderFilterStrategy {

    /** Receipt id (as Idempotency-Key, for consumers that deduplicate), partner, event, correlation id and media type. */
    static final Set<String> PUBLISHED = caseInsensitive(
            "Idempotency-Key", "X-Correlation-Id", "JunctionPartner", "JunctionEvent", "Content-Type");

    @Override
    public boolean applyFilterToCamelHeaders(String name, Object value, Exchange exchange) {
        return !PUBLISHED.contains(name);
    }

    /** Headers of consumed records are not copied anywhere by the hub (a sync job journals the value), so none is filtered. */
    @Override
    public boolean applyFilterToExternalHeaders(String name, Object value, Exchange exchange) {
        return false;
    }

    private static Set<String> caseInsensitive(String... names) {
        Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        set.addAll(Set.of(names));
        return Collections.unmodifiableSet(set);
    }
}
