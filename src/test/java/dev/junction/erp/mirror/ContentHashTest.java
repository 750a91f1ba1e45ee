package dev.junction.erp.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.intake.PayloadReader;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.erdtman.jcs.JsonCanonicalizer;
import org.junit.jupiter.api.Test;

/** Content hashes against RFC 8785's own examples and vectors computed by hand (a JSON encoder with sorted keys, then SHA-256). */
class ContentHashTest {

    static JsonNode json(String text) {
        return PayloadReader.parseExact(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void canonicalFormMatchesTheRfc8785Example() {
        // RFC 8785 section 3.2.2 (numbers, string escapes, literals).
        String input = """
                {"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
                 "string": "\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\"\\/",
                 "literals": [null, true, false]}""";
        assertThat(ContentHash.canonical(json(input))).isEqualTo(
                "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
                        + "\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
    }

    @Test
    void membersAreSortedByUtf16CodeUnitsAsInRfc8785() {
        // RFC 8785 section 3.2.3: the emoji (a surrogate pair) sorts before U+FB33, unlike by code points.
        String input = """
                {"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One",
                 "\\ud83d\\ude00": "Emoji: Grinning Face", "\\u0080": "Control", "\\u00f6": "Latin Small Letter O With Diaeresis"}""";
        String canonical = ContentHash.canonical(json(input));
        assertThat(canonical.replaceAll("\"[^\"]*\":\"([^\"]*)\"", "$1")).isEqualTo("{Carriage Return,One,Control,"
                + "Latin Small Letter O With Diaeresis,Euro Sign,Emoji: Grinning Face,Hebrew Letter Dalet With Dagesh}");
    }

    @Test
    void anItemHashesItsCanonicalJsonWithoutUpdatedAt() {
        JsonNode item = json("""
                {"updatedAt": "2026-11-30T10:00:00+01:00", "vat": "V55", "unit": "KG", "sku": "SKU-1",
                 "priceInclVat": 11.08, "priceExclVat": 10.50, "label": "Pommes Golden", "erpId": "A1"}""");
        assertThat(ContentHash.canonical(item)).isEqualTo(
                "{\"erpId\":\"A1\",\"label\":\"Pommes Golden\",\"priceExclVat\":10.5,\"priceInclVat\":11.08,\"sku\":\"SKU-1\",\"unit\":\"KG\",\"vat\":\"V55\"}");
        assertThat(ContentHash.of(item)).isEqualTo("dcfbcc62bdc67bff8d61a1ad19f7529afe44846559c30d8a7fabdb98a7a4564d");
    }

    @Test
    void escapesNonAsciiAndLargeNumbersHashAsAnAgentWouldComputeThem() {
        JsonNode item = json("""
                {"erpId": "\\u00c9-7", "sku": "B/7", "label": "Bi\\u00e8re \\"blonde\\"\\n", "unit": "L", "vat": "V20",
                 "priceExclVat": 0.00, "priceInclVat": 1000000000000000000000, "manageStock": false,
                 "updatedAt": "2026-11-30T10:00:00+01:00"}""");
        assertThat(ContentHash.of(item)).isEqualTo("85c6c692f6809be84938135892ab91b370b24ab1dbdf8b529f29aa3a2f17d506");
    }

    @Test
    void onlyTheTopLevelUpdatedAtIsLeftOut() {
        JsonNode a = json("{\"erpId\":\"A\",\"updatedAt\":\"2026-01-01T00:00:00Z\",\"meta\":{\"updatedAt\":\"x\"}}");
        JsonNode b = json("{\"erpId\":\"A\",\"updatedAt\":\"2027-01-01T00:00:00Z\",\"meta\":{\"updatedAt\":\"x\"}}");
        JsonNode c = json("{\"erpId\":\"A\",\"updatedAt\":\"2027-01-01T00:00:00Z\",\"meta\":{\"updatedAt\":\"y\"}}");
        assertThat(ContentHash.of(a)).isEqualTo(ContentHash.of(b)).isNotEqualTo(ContentHash.of(c));
    }

    @Test
    void agreesWithTheReferenceCanonicalizerOnRandomRecords() throws Exception {
        Random random = new Random(8785);
        for (int i = 0; i < 2000; i++) {
            String text = randomObject(random, 0);
            String ours = ContentHash.canonical(json(text));
            String reference = new JsonCanonicalizer(text).getEncodedString();
            assertThat(ours).as("canonical form of %s", text).isEqualTo(reference);
        }
    }

    private static String randomObject(Random r, int depth) {
        StringBuilder out = new StringBuilder("{");
        int n = r.nextInt(6);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append('"').append(randomText(r)).append(i).append("\":").append(randomValue(r, depth));
        }
        return out.append('}').toString();
    }

    private static String randomValue(Random r, int depth) {
        switch (r.nextInt(depth < 2 ? 8 : 6)) {
            case 0: return "\"" + randomText(r) + "\"";
            case 1: return Long.toString(r.nextLong() >> r.nextInt(64));
            case 2: return Double.toString(r.nextDouble() * Math.pow(10, r.nextInt(40) - 20));
            case 3: return r.nextInt(1000) + "." + r.nextInt(100) + "e" + (r.nextInt(60) - 30);
            case 4: return r.nextBoolean() ? "true" : "null";
            case 5: return "-0.0";
            case 6: return "[" + randomValue(r, depth + 1) + "," + randomValue(r, depth + 1) + "]";
            default: return randomObject(r, depth + 1);
        }
    }

    private static String randomText(Random r) {
        String[] pieces = {"a", "Z", "é", "\\u20ac", "\\ud83d\\ude00", "\\n", "\\\"", "\\\\", "\\u0001", "/", "\\ufb33", " "};
        StringBuilder out = new StringBuilder();
        for (int i = r.nextInt(4); i >= 0; i--) {
            out.append(pieces[r.nextInt(pieces.length)]);
        }
        return out.toString();
    }
}
