package dev.junction.intake;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The inbound headers kept with a message: everything a route may need, minus credentials (never stored, never
 * forwarded) and hop-by-hop headers (meaningless once the request is over).
 */
final class SafeHeaders {

    private static final Set<String> DROPPED = Set.of(
            "authorization", "proxy-authorization", "x-api-key", "cookie", "set-cookie",
            "host", "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
            "expect", "content-length");
    /** A header whose name contains one of these may carry a secret; it is dropped whatever it is called. */
    private static final List<String> SECRET_WORDS = List.of("secret", "token", "password", "passwd", "signature", "apikey", "api-key", "credential");
    private static final int MAX_VALUE = 2048;
    private static final JsonFactory JSON = new JsonFactory();

    private SafeHeaders() {}

    private static boolean mayCarrySecret(String lowerName) {
        for (String word : SECRET_WORDS) {
            if (lowerName.contains(word)) {
                return true;
            }
        }
        return false;
    }

    static String toJson(HttpServletRequest request) {
        Map<String, String> kept = new TreeMap<>();
        for (String name : Collections.list(request.getHeaderNames())) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (DROPPED.contains(lower) || mayCarrySecret(lower)) {
                continue;
            }
            String value = String.join(", ", Collections.list(request.getHeaders(name)));
            kept.put(lower, value.length() <= MAX_VALUE ? value : value.substring(0, MAX_VALUE));
        }
        // Written with the streaming generator: serializing the map through databind looked up (under a lock) a key
        // serializer on every request.
        StringWriter out = new StringWriter(64 + kept.size() * 32);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            for (Map.Entry<String, String> e : kept.entrySet()) {
                json.writeStringField(e.getKey(), e.getValue());
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("Writing to a string cannot fail", e);
        }
        return out.toString();
    }
}
