package dev.junction.intake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The inbound headers kept with a message: everything a route may need, minus credentials (never stored, never
 * forwarded) and hop-by-hop headers (meaningless once the request is over).
 */
final class SafeHeaders {

    private static final Set<String> DROPPED = Set.of(
            "authorization", "proxy-authorization", "x-api-key", "cookie", "set-cookie",
            "host", "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
            "expect", "content-length");
    private static final Pattern SECRET_NAME = Pattern.compile(".*(secret|token|password|passwd|signature|api-?key|credential).*");
    private static final int MAX_VALUE = 2048;
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafeHeaders() {}

    static String toJson(HttpServletRequest request) {
        Map<String, String> kept = new TreeMap<>();
        for (String name : Collections.list(request.getHeaderNames())) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (DROPPED.contains(lower) || SECRET_NAME.matcher(lower).matches()) {
                continue;
            }
            String value = String.join(", ", Collections.list(request.getHeaders(name)));
            kept.put(lower, value.length() <= MAX_VALUE ? value : value.substring(0, MAX_VALUE));
        }
        try {
            return JSON.writeValueAsString(kept);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A map of strings always serializes", e);
        }
    }
}
