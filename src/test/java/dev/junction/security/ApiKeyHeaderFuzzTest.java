package dev.junction.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.mock.web.MockHttpServletRequest;

/**
 * Any mix of {@code X-API-Key} and {@code Authorization} headers yields no key, exactly the one key presented, or a
 * refusal (IllegalArgumentException, which {@link KeyAuthenticationFilter} keeps as the reason for a 401) — never a guess between two
 * keys and never any other exception. Seeds: {@code src/test/resources/dev/junction/security/ApiKeyHeaderFuzzTestInputs}.
 */
class ApiKeyHeaderFuzzTest {

    /** Tomcat refuses a request whose header names are not RFC 9110 tokens, so only tokens reach the filter. */
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    /** Nor does it pass control characters other than tab in a value (a NUL, say, is a 400 before any filter). */
    private static final Pattern FIELD_VALUE = Pattern.compile("[\\t\\x20-\\x7E\\x80-\\xFF]*");

    @FuzzTest(maxDuration = "30s")
    void anyKeyHeadersPresentOneKeyNoneOrAreRefused(byte[] lines) {
        MockHttpServletRequest request = new MockHttpServletRequest();
        Set<String> presented = new LinkedHashSet<>();
        for (String line : new String(lines, StandardCharsets.ISO_8859_1).split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && TOKEN.matcher(line.substring(0, colon)).matches()
                    && FIELD_VALUE.matcher(line.substring(colon + 1)).matches()) {
                String name = line.substring(0, colon);
                String value = line.substring(colon + 1);
                request.addHeader(name, value);
                candidate(name, value).ifPresent(presented::add);
            }
        }
        Optional<String> key;
        try {
            key = KeyAuthenticationFilter.presentedKey(request);
        } catch (IllegalArgumentException refused) {
            assertThat(presented).as("refused although at most one key was presented").hasSizeGreaterThan(1);
            return;
        }
        assertThat(presented).as("picked one of several keys").hasSizeLessThanOrEqualTo(1);
        assertThat(key).isEqualTo(presented.stream().findFirst());
    }

    /** The key a header carries, by the contract: X-API-Key's value or a Bearer token, without surrounding spaces. */
    private static Optional<String> candidate(String name, String value) {
        String lower = name.toLowerCase(Locale.ROOT);
        String v = value.trim();
        if (lower.equals("x-api-key") && !v.isBlank()) {
            return Optional.of(v);
        }
        if (lower.equals("authorization") && v.toLowerCase(Locale.ROOT).startsWith("bearer ") && !v.substring(7).isBlank()) {
            return Optional.of(v.substring(7).trim());
        }
        return Optional.empty();
    }
}
