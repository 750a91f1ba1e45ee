package dev.junction.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.support.HubClient;
import dev.junction.support.Keys;
import java.util.HashMap;
import java.util.Map;

/** The packaged hub with the reliability partners (src/test/resources/reliability) and a fast recovery poller. */
final class ReliabilityHub {

    private ReliabilityHub() {}

    /**
     * Environment of a hub whose targets live at {@code targetUrl}. A short lease lets a restarted hub take over a
     * killed one's messages within seconds; it stays above every target timeout of these partners (at most 3 s).
     */
    static Map<String, String> env(String targetUrl, Map<String, String> more) {
        Map<String, String> env = new HashMap<>(Map.of(
                "JUNCTION_CONNECTORS_DIR", "src/test/resources/reliability/connectors",
                "JUNCTION_ROUTES_DIR", "src/test/resources/reliability/routes",
                "RELIABILITY_TARGET_URL", targetUrl,
                "JUNCTION_DELIVERY_LEASE", "5s",
                "JUNCTION_DELIVERY_POLL_INTERVAL", "100ms"));
        env.putAll(more);
        return env;
    }

    /** Messages of a partner the hub still has to settle (accepted or retrying), from the Ops API. */
    static long pending(HubClient hub, String partner) {
        for (JsonNode p : hub.get("/ops/partners", "X-API-Key", Keys.OPS).json()) {
            if (p.path("partner").asText().equals(partner)) {
                return p.path("counts").path("accepted").asLong() + p.path("counts").path("retrying").asLong();
            }
        }
        throw new IllegalStateException("No partner " + partner + " in /ops/partners");
    }
}
