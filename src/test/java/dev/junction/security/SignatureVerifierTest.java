package dev.junction.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.partner.StandardWebhooks;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The verifier against the Standard Webhooks test vectors: the published signing vector (spec repository,
 * libraries/java/src/test/java/com/standardwebhooks/WebhookTest.java, {@code verifyWebhookSignWorks}, the same
 * vector in every official library) and the cases of that file's verification tests.
 */
class SignatureVerifierTest {

    // Published test vector; a test secret, never a real one.
    static final String VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final String VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    static final long VECTOR_TIMESTAMP = 1614265330;
    static final String VECTOR_PAYLOAD = "{\"test\": 2432232314}";
    static final String VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    static final Instant AT_VECTOR = Instant.ofEpochSecond(VECTOR_TIMESTAMP);
    static final Duration TOLERANCE = Duration.ofMinutes(5);
    static final byte[] BODY = VECTOR_PAYLOAD.getBytes(StandardCharsets.UTF_8);
    static final List<byte[]> KEYS = List.of(StandardWebhooks.key(VECTOR_SECRET));

    @Test
    void signsThePublishedVector() {
        assertThat(StandardWebhooks.sign(StandardWebhooks.key(VECTOR_SECRET), VECTOR_ID, VECTOR_TIMESTAMP, BODY)).isEqualTo(VECTOR_SIGNATURE);
        assertThat(StandardWebhooks.sign(StandardWebhooks.key("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), VECTOR_ID, VECTOR_TIMESTAMP, BODY))
                .as("the whsec_ prefix is optional, as in the reference libraries").isEqualTo(VECTOR_SIGNATURE);
    }

    @Test
    void verifiesThePublishedVector() {
        assertThat(refusal(VECTOR_SIGNATURE, BODY, AT_VECTOR)).isNull();
    }

    @Test
    void oneMatchingEntryAmongSeveralPasses() {
        // verifyValidPayloadWithMultipleSignaturesIsValid: other versions and wrong v1 entries around the valid one.
        String header = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= "
                + VECTOR_SIGNATURE + " v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=";
        assertThat(refusal(header, BODY, AT_VECTOR)).isNull();
    }

    @Test
    void anyOfSeveralSecretsPasses() {
        List<byte[]> rotation = List.of(StandardWebhooks.key("whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[32])),
                StandardWebhooks.key(VECTOR_SECRET));
        assertThat(SignatureVerifier.refusal(headers(VECTOR_ID, Long.toString(VECTOR_TIMESTAMP), VECTOR_SIGNATURE), BODY, rotation,
                AT_VECTOR, TOLERANCE)).isNull();
    }

    @Test
    void aTamperedBodyIdOrTimestampMatchesNothing() {
        assertThat(refusal(VECTOR_SIGNATURE, "{\"test\": 2432232315}".getBytes(StandardCharsets.UTF_8), AT_VECTOR))
                .startsWith("No webhook-signature entry matches");
        assertThat(refusal(VECTOR_SIGNATURE, "{\"test\":2432232314}".getBytes(StandardCharsets.UTF_8), AT_VECTOR))
                .as("one space less is another body").startsWith("No webhook-signature entry matches");
        assertThat(SignatureVerifier.refusal(headers("msg_other", Long.toString(VECTOR_TIMESTAMP), VECTOR_SIGNATURE), BODY, KEYS,
                AT_VECTOR, TOLERANCE)).startsWith("No webhook-signature entry matches");
        assertThat(SignatureVerifier.refusal(headers(VECTOR_ID, Long.toString(VECTOR_TIMESTAMP + 1), VECTOR_SIGNATURE), BODY, KEYS,
                AT_VECTOR, TOLERANCE)).startsWith("No webhook-signature entry matches");
    }

    @Test
    void timestampOutsideTheToleranceEitherWayIsRefused() {
        assertThat(refusal(VECTOR_SIGNATURE, BODY, AT_VECTOR.plusSeconds(300))).as("at the edge").isNull();
        assertThat(refusal(VECTOR_SIGNATURE, BODY, AT_VECTOR.minusSeconds(300))).as("at the edge").isNull();
        assertThat(refusal(VECTOR_SIGNATURE, BODY, AT_VECTOR.plusSeconds(301)))
                .contains("outside the tolerance").contains("301 s in the past");
        assertThat(refusal(VECTOR_SIGNATURE, BODY, AT_VECTOR.minusSeconds(301)))
                .contains("outside the tolerance").contains("301 s in the future").contains("clock");
    }

    @Test
    void missingHeadersAreNamed() {
        assertThat(SignatureVerifier.refusal(headers(null, "1", VECTOR_SIGNATURE), BODY, KEYS, AT_VECTOR, TOLERANCE))
                .startsWith("Missing Standard Webhooks header(s) webhook-id;");
        assertThat(SignatureVerifier.refusal(headers(VECTOR_ID, null, null), BODY, KEYS, AT_VECTOR, TOLERANCE))
                .startsWith("Missing Standard Webhooks header(s) webhook-timestamp, webhook-signature;");
    }

    @Test
    void malformedHeadersAreNamed() {
        assertThat(refusal("invalid_signature", BODY, AT_VECTOR)).startsWith("webhook-signature is malformed");
        assertThat(refusal("v1,invalid_signature", BODY, AT_VECTOR)).startsWith("webhook-signature is malformed");
        assertThat(refusal("v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", BODY, AT_VECTOR)).contains("no v1 entry");
        assertThat(SignatureVerifier.refusal(headers(VECTOR_ID, "1614265330.5", VECTOR_SIGNATURE), BODY, KEYS, AT_VECTOR, TOLERANCE))
                .startsWith("webhook-timestamp must be").contains("unix seconds");
        assertThat(SignatureVerifier.refusal(headers("msg with spaces", "1614265330", VECTOR_SIGNATURE), BODY, KEYS, AT_VECTOR, TOLERANCE))
                .startsWith("webhook-id must be");
        assertThat(SignatureVerifier.refusal(new SignatureVerifier.Headers(VECTOR_ID, "1", VECTOR_SIGNATURE, "webhook-id"), BODY, KEYS,
                AT_VECTOR, TOLERANCE)).startsWith("Send one webhook-id header");
    }

    @Test
    void noRefusalRevealsTheExpectedSignatureOrTheSecret() {
        String expectedValue = VECTOR_SIGNATURE.substring(3);
        for (String refusal : List.of(
                refusal("v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=", BODY, AT_VECTOR),
                refusal(VECTOR_SIGNATURE, "{}".getBytes(StandardCharsets.UTF_8), AT_VECTOR),
                refusal(VECTOR_SIGNATURE, BODY, AT_VECTOR.plusSeconds(3600)),
                refusal("v1,!!", BODY, AT_VECTOR))) {
            assertThat(refusal).doesNotContain(expectedValue).doesNotContain("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        }
    }

    private static String refusal(String signature, byte[] body, Instant now) {
        return SignatureVerifier.refusal(headers(VECTOR_ID, Long.toString(VECTOR_TIMESTAMP), signature), body, KEYS, now, TOLERANCE);
    }

    private static SignatureVerifier.Headers headers(String id, String timestamp, String signature) {
        return new SignatureVerifier.Headers(id, timestamp, signature, null);
    }
}
