package dev.junction.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.Option;
import com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider;
import com.jayway.jsonpath.spi.mapper.JacksonMappingProvider;
import dev.junction.partner.IdempotencyKeySource;
import dev.junction.problem.Problem;
import dev.junction.problem.ProblemException;
import dev.junction.problem.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Reads a request's idempotency key from where its event declares it. */
final class IdempotencyKeys {

    static final int MAX_LENGTH = 255;
    private static final Pattern PRINTABLE = Pattern.compile("[\\x21-\\x7E]([\\x20-\\x7E]*[\\x21-\\x7E])?");
    private static final Configuration ON_TREE = Configuration.builder()
            .jsonProvider(new JacksonJsonNodeJsonProvider())
            .mappingProvider(new JacksonMappingProvider())
            .options(Option.SUPPRESS_EXCEPTIONS)
            .build();

    private IdempotencyKeys() {}

    /** The key, or null when the event's key is an absent header (then the message is not deduplicated). */
    static String extract(IdempotencyKeySource source, HttpServletRequest request, JsonNode payload) {
        if (source instanceof IdempotencyKeySource.Header h) {
            return fromHeader(h.name(), request);
        }
        return fromPayload((IdempotencyKeySource.Json) source, payload);
    }

    private static String fromHeader(String name, HttpServletRequest request) {
        Enumeration<String> values = request.getHeaders(name);
        if (values == null || !values.hasMoreElements()) {
            return null;
        }
        String first = values.nextElement();
        while (values.hasMoreElements()) {
            // The same value twice is one key (a proxy may repeat a header); two different values are a client error.
            if (!first.equals(values.nextElement())) {
                throw new ProblemException(ProblemType.MALFORMED_REQUEST, "Send one " + name + " header, not several");
            }
        }
        return check(first.trim(), "The " + name + " header");
    }

    private static String fromPayload(IdempotencyKeySource.Json source, JsonNode payload) {
        JsonNode value = JsonPath.using(ON_TREE).parse(payload).read(source.path());
        if (value == null || value.isNull() || value.isMissingNode() || value.isContainerNode()) {
            Problem problem = Problem.of(ProblemType.VALIDATION_FAILED, "The payload has no string or number at "
                            + source.expression() + ", which this event uses as its idempotency key")
                    .withErrors(List.of(new Problem.FieldError(pointer(source.expression()), "required idempotency key")));
            throw new ProblemException(problem, Map.of());
        }
        return check(value.asText(), "The idempotency key at " + source.expression());
    }

    private static String check(String key, String what) {
        if (key.isEmpty() || key.length() > MAX_LENGTH || !PRINTABLE.matcher(key).matches()) {
            throw new ProblemException(ProblemType.MALFORMED_REQUEST, what + " must be 1 to " + MAX_LENGTH + " printable ASCII characters");
        }
        return key;
    }

    /** $.a.b[0] as /a/b/0, for the problem's pointer. */
    static String pointer(String expression) {
        String p = expression.replaceFirst("^\\$", "").replaceAll("\\[['\"]?([^\\]'\"]*)['\"]?]", ".$1").replace('.', '/');
        return p.isEmpty() ? "" : p;
    }
}
