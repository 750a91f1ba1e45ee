package dev.junction.intake;

import static dev.junction.support.ClientErrors.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import dev.junction.partner.IdempotencyKeySource;
import dev.junction.support.ClientErrors.Outcome;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

/**
 * Hostile input through the intake units, in the order {@link WebhookController} runs them: every input is either
 * accepted or refused with the documented 4xx problem, never any other exception (which would be a 5xx).
 *
 * <p>Under plain JUnit each {@code @FuzzTest} replays its seed corpus in
 * {@code src/test/resources/dev/junction/intake/IntakeFuzzTestInputs/<method>/}; {@code JAZZER_FUZZ=1} fuzzes and
 * adds any crashing input there, so a finding becomes a regression test.
 */
class IntakeFuzzTest {

    /** The acme test partner's limit: the seeds include bodies on both sides of it. */
    static final int MAX_BYTES = 4096;
    static final JsonSchema ORDER_SCHEMA = schema(Path.of("src/test/resources/it/schemas/acme-order-created.json"));
    static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    static final IdempotencyKeySource PAYLOAD_KEY = IdempotencyKeySource.parse("jsonpath:$.shipment.id");

    @FuzzTest(maxDuration = "60s")
    void anyBodyIsAcceptedOrRefusedWith400To422(byte[] body) {
        // Declared (Content-Length) and chunked, whole and cut off by a dropped connection halfway.
        for (long declared : new long[] {body.length, -1}) {
            throughIntake(declared, new ByteArrayInputStream(body), body);
            throughIntake(declared, truncatedAfter(body, body.length / 2), body);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void anyContentTypeIsJsonOrA415(byte[] header) {
        String contentType = new String(header, StandardCharsets.ISO_8859_1);
        Outcome<String> stored = run(() -> PayloadReader.requireJson(contentType), 415);
        if (stored.accepted()) {
            assertThat(stored.value()).startsWith("application/").matches("application/(json|\\S*\\+json)");
        }
    }

    @FuzzTest(maxDuration = "30s")
    void anyIdempotencyKeyHeadersAreOneKeyOrA400(byte[] lines) {
        MockHttpServletRequest request = new MockHttpServletRequest();
        List<String> values = Arrays.asList(new String(lines, StandardCharsets.ISO_8859_1).split("\n", -1));
        if (lines.length > 0) {
            values.forEach(v -> request.addHeader("Idempotency-Key", v));
        }
        Outcome<String> key = run(() -> IdempotencyKeys.extract(IdempotencyKeySource.DEFAULT, request, null), 400);
        if (values.stream().distinct().count() > 1) {
            assertThat(key.accepted()).as("several different keys must be refused, not guessed between").isFalse();
        }
        if (key.accepted() && key.value() != null) {
            assertPrintableKey(key.value());
            assertThat(values.stream().map(String::trim)).contains(key.value());
        }
    }

    @FuzzTest(maxDuration = "30s")
    void anyHeadersAreStoredWithoutCredentials(byte[] lines) throws IOException {
        MockHttpServletRequest request = new MockHttpServletRequest();
        for (String line : new String(lines, StandardCharsets.ISO_8859_1).split("\n")) {
            int colon = line.indexOf(':');
            // Tomcat refuses a request whose header names are not RFC 9110 tokens, so only tokens reach SafeHeaders.
            if (colon > 0 && TOKEN.matcher(line.substring(0, colon)).matches()) {
                request.addHeader(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        JsonNode stored = new ObjectMapper().readTree(SafeHeaders.toJson(request));
        assertThat(stored.isObject()).isTrue();
        stored.fields().forEachRemaining(h -> {
            assertThat(h.getKey()).isEqualTo(h.getKey().toLowerCase(Locale.ROOT))
                    .isNotIn("authorization", "proxy-authorization", "x-api-key", "cookie")
                    .doesNotContain("secret", "token", "password", "apikey", "api-key", "signature");
            assertThat(h.getValue().asText()).hasSizeLessThanOrEqualTo(2048);
        });
    }

    /** Reading stops one byte past the limit: an endless upload costs the hub {@code max + 1} bytes, not memory. */
    @Test
    void anEndlessChunkedBodyIsA413AfterReadingOneBytePastTheLimit() {
        CountingEndlessStream endless = new CountingEndlessStream();
        Outcome<byte[]> read = run(() -> PayloadReader.readBounded(-1, endless, MAX_BYTES), 413);
        assertThat(read.accepted()).isFalse();
        assertThat(endless.read).isEqualTo(MAX_BYTES + 1);
    }

    private static void throughIntake(long declared, InputStream in, byte[] body) {
        Outcome<byte[]> read = run(() -> PayloadReader.readBounded(declared, in, MAX_BYTES), 400, 413);
        if (!read.accepted()) {
            return;
        }
        assertThat(read.value()).hasSizeBetween(1, MAX_BYTES);
        assertThat(body).startsWith(read.value());
        Outcome<JsonNode> payload = run(() -> PayloadReader.parse(read.value()), 400);
        if (!payload.accepted()) {
            return;
        }
        Outcome<JsonNode> valid = run(() -> {
            WebhookController.validate(ORDER_SCHEMA, payload.value());
            return payload.value();
        }, 422);
        if (!valid.accepted()) {
            assertThat(valid.problem().errors()).isNotEmpty().allSatisfy(e -> {
                assertThat(e.pointer()).matches("(/.*)?");
                assertThat(e.message()).isNotBlank();
            });
        }
        Outcome<String> key = run(() -> IdempotencyKeys.extract(PAYLOAD_KEY, new MockHttpServletRequest(), payload.value()), 400, 422);
        if (key.accepted()) {
            assertPrintableKey(key.value());
        }
    }

    private static void assertPrintableKey(String key) {
        assertThat(key).hasSizeBetween(1, IdempotencyKeys.MAX_LENGTH).matches("[\\x21-\\x7E]([\\x20-\\x7E]*[\\x21-\\x7E])?");
    }

    /** The first {@code n} bytes, then the connection drops. */
    private static InputStream truncatedAfter(byte[] body, int n) {
        return new java.io.SequenceInputStream(new ByteArrayInputStream(body, 0, n), new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("Connection reset by peer");
            }
        });
    }

    /** Loaded as ConnectorLoader loads an event schema: JSON Pointer paths, validators initialized up front. */
    private static JsonSchema schema(Path file) {
        try {
            JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(
                    new ObjectMapper().readTree(file.toFile()), SchemaValidatorsConfig.builder().pathType(PathType.JSON_POINTER).build());
            schema.initializeValidators();
            return schema;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final class CountingEndlessStream extends InputStream {
        long read;

        @Override
        public int read() {
            read++;
            return '[';
        }
    }
}
