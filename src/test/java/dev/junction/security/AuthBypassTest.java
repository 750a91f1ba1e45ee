package dev.junction.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.support.HubClient;
import dev.junction.support.Keys;
import dev.junction.support.StartedHub;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The auth bypass matrix against a running hub: key kinds x header spellings x duplicates x whitespace x path
 * encodings. Only a valid key on its own partner's canonical path gets a 2xx; everything else is a problem and stores
 * nothing: a path that is not a normalised URI is a 400 from the firewall whatever the key, any other a 401, 403 or 404.
 */
class AuthBypassTest {

    static final String PARTNER_PATH = "/webhooks/acme/order-updated";
    static final String OPS_PATH = "/ops/partners";

    private static StartedHub hub;

    @BeforeContainer
    static void startHub() {
        hub = StartedHub.start();
    }

    @AfterContainer
    static void stopHub() {
        if (hub != null) {
            hub.close();
        }
    }

    enum KeyKind {
        MISSING, WRONG, EXPIRED, OTHER_PARTNERS, OPS_ON_PARTNER_PATH, PARTNER_ON_OPS_PATH, VALID;

        String key() {
            return switch (this) {
                case MISSING -> null;
                case WRONG -> "acme-key-0";
                case EXPIRED -> Keys.ACME_EXPIRED;
                case OTHER_PARTNERS -> Keys.GLOBEX;
                case OPS_ON_PARTNER_PATH -> Keys.OPS;
                case PARTNER_ON_OPS_PATH, VALID -> Keys.ACME;
            };
        }

        /** A different key that would be valid for the path on its own: sent with this one, it must not win. */
        String otherKey() {
            return this == PARTNER_ON_OPS_PATH ? Keys.OPS : Keys.ACME.equals(key()) ? Keys.GLOBEX : Keys.ACME;
        }

        String path() {
            return this == PARTNER_ON_OPS_PATH ? OPS_PATH : PARTNER_PATH;
        }
    }

    enum Spelling {
        X_API_KEY("X-API-Key", ""), LOWER_X_API_KEY("x-api-key", ""), UPPER_X_API_KEY("X-API-KEY", ""),
        BEARER("Authorization", "Bearer "), LOWER_BEARER("authorization", "bearer "), UPPER_BEARER("AUTHORIZATION", "BEARER ");

        final String header;
        final String prefix;

        Spelling(String header, String prefix) {
            this.header = header;
            this.prefix = prefix;
        }
    }

    enum Duplicate { NONE, SAME_KEY_TWICE, TWO_DIFFERENT_KEYS }

    enum Whitespace {
        NONE("", ""), LEADING("  ", ""), TRAILING("", " \t"), BOTH("\t ", "  ");

        final String before;
        final String after;

        Whitespace(String before, String after) {
            this.before = before;
            this.after = after;
        }
    }

    enum PathVariant {
        CANONICAL, PERCENT_ENCODED_CHAR, DOT_DOT, ENCODED_DOT_DOT, DOT_SEGMENT, DOUBLE_SLASH, TRAILING_SLASH,
        ENCODED_SLASH, PATH_PARAMETER, UPPERCASE;

        /** Not a normalised URI: the firewall refuses it (400) before any key is looked at. */
        boolean refusedByFirewall() {
            return this != CANONICAL && this != TRAILING_SLASH && this != UPPERCASE;
        }

        /** The canonical path, altered at segment {@code at}. */
        String apply(String canonical, int at) {
            String[] segments = canonical.substring(1).split("/");
            int i = at % segments.length;
            List<String> out = new ArrayList<>(List.of(segments));
            switch (this) {
                case CANONICAL -> { }
                case PERCENT_ENCODED_CHAR -> out.set(i, String.format(at % 2 == 0 ? "%%%02X" : "%%%02x", (int) segments[i].charAt(0))
                        + segments[i].substring(1));
                case DOT_DOT -> out.add(i, "globex/..");
                case ENCODED_DOT_DOT -> out.add(i, "globex/%2e%2e");
                case DOT_SEGMENT -> out.add(i, ".");
                case DOUBLE_SLASH -> out.add(i, "");
                case TRAILING_SLASH -> out.add("");
                case ENCODED_SLASH -> {
                    int j = Math.max(1, i);
                    out.set(j - 1, out.get(j - 1) + "%2F" + out.remove(j));
                }
                case PATH_PARAMETER -> out.set(i, segments[i] + ";v=1");
                case UPPERCASE -> out.set(i, segments[i].toUpperCase(Locale.ROOT));
            }
            return "/" + String.join("/", out);
        }
    }

    record Attempt(KeyKind kind, Spelling spelling, Spelling secondSpelling, Duplicate duplicate, Whitespace whitespace,
                   PathVariant variant, int segment) {

        String path() {
            return variant.apply(kind.path(), segment);
        }

        List<String> keys() {
            if (kind == KeyKind.MISSING) {
                return List.of();
            }
            return switch (duplicate) {
                case NONE -> List.of(kind.key());
                case SAME_KEY_TWICE -> List.of(kind.key(), kind.key());
                case TWO_DIFFERENT_KEYS -> List.of(kind.key(), kind.otherKey());
            };
        }

        /** The one case the hub must admit: a partner's own valid key, alone, on its canonical path. */
        boolean admissible() {
            return kind == KeyKind.VALID && duplicate != Duplicate.TWO_DIFFERENT_KEYS && variant == PathVariant.CANONICAL;
        }

        /** What the key alone earns on a canonical path; other paths may also be a 404. */
        int refusal() {
            if (kind == KeyKind.MISSING || kind == KeyKind.WRONG || kind == KeyKind.EXPIRED
                    || (duplicate == Duplicate.TWO_DIFFERENT_KEYS)) {
                return 401;
            }
            return 403;
        }

        HttpRequest request(HubClient client) {
            HttpRequest.Builder b = client.request(path());
            List<String> keys = keys();
            for (int n = 0; n < keys.size(); n++) {
                Spelling s = n == 0 ? spelling : secondSpelling;
                b.header(s.header, whitespace.before + s.prefix + keys.get(n) + whitespace.after);
            }
            return kind == KeyKind.PARTNER_ON_OPS_PATH ? b.GET().build()
                    : b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"n\":1}")).build();
        }
    }

    @Provide
    Arbitrary<Attempt> attempts() {
        return Combinators.combine(
                Arbitraries.of(KeyKind.class), Arbitraries.of(Spelling.class), Arbitraries.of(Spelling.class),
                Arbitraries.of(Duplicate.class), Arbitraries.of(Whitespace.class), Arbitraries.of(PathVariant.class),
                Arbitraries.integers().between(0, 2)).as(Attempt::new);
    }

    @Property(tries = 300)
    void onlyAValidKeyAloneOnItsOwnCanonicalPathIsAdmitted(@ForAll("attempts") Attempt attempt) {
        HubClient client = hub.client();
        long before = hub.messages();

        HubClient.Res res = client.send(attempt.request(client));

        String why = attempt.path() + " " + attempt + " -> " + res;
        if (attempt.admissible()) {
            assertThat(res.status()).as(why).isEqualTo(202);
            assertThat(hub.messages()).as(why).isEqualTo(before + 1);
            return;
        }
        if (attempt.variant() == PathVariant.CANONICAL) {
            assertThat(res.status()).as(why).isEqualTo(attempt.refusal());
        } else if (attempt.variant().refusedByFirewall()) {
            assertThat(res.status()).as(why).isEqualTo(400);
        } else {
            assertThat(res.status()).as(why).isIn(401, 403, 404);
        }
        assertThat(res.header("Content-Type")).as(why).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
        assertThat(res.json().path("status").asInt()).as(why).isEqualTo(res.status());
        assertThat(hub.messages()).as(why + ": stored nothing").isEqualTo(before);
    }
}
