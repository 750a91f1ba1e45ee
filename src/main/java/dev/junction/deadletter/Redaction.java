package dev.junction.deadletter;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Headers shown to ops: credentials are never stored in the first place, and anything whose name looks secret is
 * redacted again here, so a future change to what intake keeps cannot leak through the ops API.
 */
final class Redaction {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SECRET = Pattern.compile(".*(authorization|cookie|secret|token|password|passwd|signature|api-?key|credential).*");

    private Redaction() {}

    static Map<String, String> headers(String json) {
        Map<String, String> out = new TreeMap<>();
        try {
            Map<String, String> stored = JSON.readValue(json, new TypeReference<Map<String, String>>() {});
            stored.forEach((k, v) -> out.put(k, SECRET.matcher(k.toLowerCase(Locale.ROOT)).matches() ? "[redacted]" : v));
        } catch (IOException unreadable) {
            out.put("(unreadable)", "[redacted]");
        }
        return out;
    }
}
