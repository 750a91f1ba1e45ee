package dev.junction.security;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.standardwebhooks.Webhook;
import dev.junction.support.HubClient;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Standard Webhooks through a whole hub (H2, real HTTP, a WireMock target), one context for every case. Requests
 * are signed, and the hub's outbound signatures verified, by the official Standard Webhooks Java library
 * (com.standardwebhooks:standardwebhooks), not by the hub's own code.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "junction.connectors-dir=src/test/resources/signatures/connectors",
        "junction.routes-dir=src/test/resources/signatures/routes",
        "junction.delivery.poll-interval=100ms",
})
class StandardWebhooksHubTest {

    static final WireMockServer TARGET = new WireMockServer(options().dynamicPort());
    // Test secrets made here, so that no whsec_ value sits in a file.
    static final String CURRENT = secret(1);
    static final String PREVIOUS = secret(2);
    static final String KEYLESS = secret(3);
    static final String OUTBOUND = secret(4);
    static final String STRANGER = secret(5);
    static final String SIGNED_KEY = "signed-key-1";
    static final String KEYLESS_KEY = "keyless-key-1";

    static {
        TARGET.start();
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) throws Exception {
        Path dir = Files.createTempDirectory("junction-h2-signatures");
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + dir.resolve("junction") + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE");
        registry.add("SIGNED_ERP_URL", TARGET::baseUrl);
        registry.add("SIGNED_WHSEC", () -> CURRENT);
        registry.add("SIGNED_WHSEC_PREVIOUS", () -> PREVIOUS);
        registry.add("KEYLESS_WHSEC", () -> KEYLESS);
        registry.add("SIGNED_OUT_WHSEC", () -> OUTBOUND);
    }

    @BeforeEach
    void target() {
        TARGET.resetAll();
        TARGET.stubFor(post(urlPathEqualTo("/orders")).willReturn(aResponse().withStatus(200)));
    }

    // --- apiKey: required ---

    @Test
    void requiredKeyAcceptsKeyAndSignatureWithTheCurrentOrThePreviousSecret() {
        assertAccepted(sendSigned("signed", CURRENT, msgId(), now(), SIGNED_KEY));
        assertAccepted(sendSigned("signed", PREVIOUS, msgId(), now(), SIGNED_KEY));
    }

    @Test
    void requiredKeyRefusesASignatureWithoutKey() {
        HubClient.Res res = sendSigned("signed", CURRENT, msgId(), now(), null);

        assertRefused(res, "unauthorized", "also needs an API key");
    }

    @Test
    void requiredKeyRefusesAKeyWithoutSignature() {
        HubClient.Res res = send("signed", body(), List.of(), SIGNED_KEY);

        assertRefused(res, "invalid-signature", "send webhook-id, webhook-timestamp and webhook-signature");
    }

    @Test
    void aWrongSignatureIsRefusedWhateverTheKeyAndNeverRevealsTheExpectedOne() {
        String id = msgId();
        long at = now();
        String body = body();
        HubClient.Res res = send("signed", body, signed(STRANGER, id, at, body), SIGNED_KEY);

        assertRefused(res, "invalid-signature", "No webhook-signature entry matches");
        String expected = sign(CURRENT, id, at, body).substring(3);
        String expectedPrevious = sign(PREVIOUS, id, at, body).substring(3);
        assertThat(res.body()).doesNotContain(expected).doesNotContain(expectedPrevious)
                .doesNotContain(CURRENT.substring(6)).doesNotContain(PREVIOUS.substring(6));
        assertThat(messagesWithKey("signed", id)).isZero();
    }

    @Test
    void aTimestampOutsideTheToleranceIsRefusedPastOrFuture() {
        // 10 s beyond the tolerance, so that a second ticking between here and the hub cannot bring it back within.
        for (long at : new long[] {now() - 310, now() + 310}) {
            String id = msgId();
            HubClient.Res res = sendSigned("signed", CURRENT, id, at, SIGNED_KEY);

            assertRefused(res, "invalid-signature", "outside the tolerance");
            assertThat(messagesWithKey("signed", id)).isZero();
        }
    }

    @Test
    void aTamperedBodyIsRefused() {
        String id = msgId();
        long at = now();
        String signedBody = "{\"orderId\":\"A-1\",\"total\":10}";
        HubClient.Res res = send("signed", "{\"orderId\":\"A-1\",\"total\":1000}", signed(CURRENT, id, at, signedBody), SIGNED_KEY);

        assertRefused(res, "invalid-signature", "No webhook-signature entry matches");
        assertThat(messagesWithKey("signed", id)).isZero();
    }

    @Test
    void malformedAndMissingHeadersSayWhichCheckFailed() {
        List<String> noTimestamp = List.of("webhook-id", msgId(), "webhook-signature", "v1,AAAA");
        assertRefused(send("signed", body(), noTimestamp, SIGNED_KEY), "invalid-signature", "Missing Standard Webhooks header(s) webhook-timestamp");
        List<String> garbled = List.of("webhook-id", msgId(), "webhook-timestamp", Long.toString(now()), "webhook-signature", "garbled");
        assertRefused(send("signed", body(), garbled, SIGNED_KEY), "invalid-signature", "webhook-signature is malformed");
    }

    @Test
    void aSendersRetryWithTheSameIdAnswersTheFirstReceiptAndStoresOneMessage() {
        String id = msgId();
        String body = body();
        long first = now();
        HubClient.Res original = send("signed", body, signed(CURRENT, id, first, body), SIGNED_KEY);
        assertAccepted(original);
        // The exact request again (a replay), and a retry signed afresh a little later, as senders do.
        HubClient.Res replay = send("signed", body, signed(CURRENT, id, first, body), SIGNED_KEY);
        HubClient.Res retry = send("signed", body, signed(CURRENT, id, first + 2, body), SIGNED_KEY);

        for (HubClient.Res again : List.of(replay, retry)) {
            assertThat(again.status()).as(again.toString()).isEqualTo(202);
            assertThat(again.header("Idempotent-Replayed")).hasValue("true");
            assertThat(again.json().path("receiptId").asText()).isEqualTo(original.json().path("receiptId").asText());
        }
        assertThat(messagesWithKey("signed", id)).isEqualTo(1);
    }

    @Test
    void anOversizedSignedBodyIsA413() {
        String big = "{\"pad\":\"" + "x".repeat(300_000) + "\"}";
        HubClient.Res res = send("signed", big, signed(CURRENT, msgId(), now(), big), SIGNED_KEY);

        assertThat(res.status()).as(res.toString()).isEqualTo(413);
    }

    // --- apiKey: optional ---

    @Test
    void optionalKeyAcceptsASignatureAlone() {
        String id = msgId();
        assertAccepted(sendSigned("keyless", KEYLESS, id, now(), null));
        assertThat(messagesWithKey("keyless", id)).isEqualTo(1);
    }

    @Test
    void optionalKeyAcceptsAKeyAloneWithoutSignatureHeaders() {
        assertAccepted(send("keyless", body(), List.of(), KEYLESS_KEY));
    }

    @Test
    void optionalKeyRefusesNeitherKeyNorSignature() {
        assertRefused(send("keyless", body(), List.of(), null), "unauthorized", "Send a Standard Webhooks signature");
    }

    @Test
    void optionalKeyRefusesAWrongSignatureEvenWithAValidKey() {
        assertRefused(sendSigned("keyless", STRANGER, msgId(), now(), KEYLESS_KEY),
                "invalid-signature", "No webhook-signature entry matches");
    }

    @Test
    void aSignatureOfAnotherPartnerDoesNotAuthenticate() {
        // A valid signature for "signed" is no signature for "keyless": each partner has its own secrets.
        assertRefused(sendSigned("keyless", CURRENT, msgId(), now(), null),
                "invalid-signature", "No webhook-signature entry matches");
    }

    // --- a secret that is not set ---

    @Test
    void anUnsetSecretAnswers503AndNeverAcceptsUnsigned() {
        String id = msgId();
        HubClient.Res res = sendSigned("unset", STRANGER, id, now(), null);

        assertThat(res.status()).as(res.toString()).isEqualTo(503);
        assertThat(res.json().path("type").asText()).endsWith("/signatures-unavailable");
        assertThat(res.header("Retry-After")).isPresent();
        assertThat(messagesWithKey("unset", id)).isZero();
    }

    // --- outbound ---

    @Test
    void targetCallsAreSignedOverTheExactBytesAndVerifiedByTheOfficialLibraryOnEveryAttempt() {
        TARGET.resetAll();
        TARGET.stubFor(post(urlPathEqualTo("/orders")).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
        TARGET.stubFor(post(urlPathEqualTo("/orders")).inScenario("flaky").whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(200)));
        String body = "{\"orderId\":\"O-" + UUID.randomUUID() + "\",\"note\":\"caf\u00e9 \u2713\"}";
        HubClient.Res res = send("signed", body, signed(CURRENT, msgId(), now(), body), SIGNED_KEY);
        assertAccepted(res);
        String receipt = res.json().path("receiptId").asText();

        await().atMost(Duration.ofSeconds(20)).until(() -> TARGET.findAll(postRequestedFor(urlPathEqualTo("/orders"))).size() >= 2);
        List<LoggedRequest> calls = TARGET.findAll(postRequestedFor(urlPathEqualTo("/orders")));
        assertThat(calls).hasSize(2);
        for (LoggedRequest call : calls) {
            assertThat(call.getHeader("webhook-id")).as("the receipt id, stable across retries").isEqualTo(receipt);
            assertThat(call.getHeader("Idempotency-Key")).isEqualTo(receipt);
            assertThat(call.getBody()).isEqualTo(body.getBytes(StandardCharsets.UTF_8));
            HttpHeaders headers = HttpHeaders.of(Map.of(
                    "webhook-id", List.of(call.getHeader("webhook-id")),
                    "webhook-timestamp", List.of(call.getHeader("webhook-timestamp")),
                    "webhook-signature", List.of(call.getHeader("webhook-signature"))), (a, b) -> true);
            String received = new String(call.getBody(), StandardCharsets.UTF_8);
            assertThatCode(() -> new Webhook(OUTBOUND).verify(received, headers)).doesNotThrowAnyException();
            assertThatCode(() -> new Webhook(STRANGER).verify(received, headers)).as("a wrong secret must not verify")
                    .isInstanceOf(com.standardwebhooks.exceptions.WebhookVerificationException.class);
        }
    }

    @Test
    void aTargetWhoseSecretIsNotSetIsNeverCalledUnsignedAndTheErrorNamesOnlyThePlaceholder() {
        String body = body();
        HubClient.Res res = new HubClient(port).postJson("/webhooks/signed/order-misrouted", body,
                signedWithKey(CURRENT, body).toArray(String[]::new));
        assertAccepted(res);
        String receipt = res.json().path("receiptId").asText();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            HubClient.Res state = new HubClient(port).get("/webhooks/signed/receipts/" + receipt, "X-API-Key", SIGNED_KEY);
            assertThat(state.json().path("status").asText()).as(state.toString()).isEqualTo("dead");
            assertThat(state.json().path("lastError").asText()).contains("${SIGNED_OUT_NEVER_SET} is not set");
        });
        assertThat(TARGET.findAll(postRequestedFor(urlPathEqualTo("/unkeyed")))).isEmpty();
    }

    // --- helpers ---

    static List<String> signedWithKey(String secret, String body) {
        List<String> headers = new ArrayList<>(signed(secret, msgId(), now(), body));
        headers.addAll(List.of("X-API-Key", SIGNED_KEY));
        return headers;
    }

    HubClient.Res send(String partner, String body, List<String> signatureHeaders, String key) {
        List<String> headers = new ArrayList<>(signatureHeaders);
        if (key != null) {
            headers.addAll(List.of("X-API-Key", key));
        }
        return new HubClient(port).postJson("/webhooks/" + partner + "/order-created", body, headers.toArray(String[]::new));
    }

    /** A fresh body, signed by the official library. */
    HubClient.Res sendSigned(String partner, String secret, String id, long timestamp, String key) {
        String body = body();
        return send(partner, body, signed(secret, id, timestamp, body), key);
    }

    /** The three headers, signed by the official library. */
    static List<String> signed(String secret, String id, long timestamp, String body) {
        return List.of("webhook-id", id, "webhook-timestamp", Long.toString(timestamp), "webhook-signature", sign(secret, id, timestamp, body));
    }

    static String sign(String secret, String id, long timestamp, String body) {
        try {
            return new Webhook(secret).sign(id, timestamp, body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static void assertAccepted(HubClient.Res res) {
        assertThat(res.status()).as(res.toString()).isEqualTo(202);
        assertThat(res.header("Idempotent-Replayed")).isEmpty();
    }

    static void assertRefused(HubClient.Res res, String type, String detail) {
        assertThat(res.status()).as(res.toString()).isEqualTo(401);
        assertThat(res.header("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
        assertThat(res.json().path("type").asText()).as(res.toString()).endsWith("/" + type);
        assertThat(res.json().path("detail").asText()).as(res.toString()).contains(detail);
    }

    long messagesWithKey(String partner, String key) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM message WHERE partner = ? AND idempotency_key = ?", Long.class, partner, key);
    }

    static String body() {
        return "{\"orderId\":\"" + UUID.randomUUID() + "\",\"total\":12.50}";
    }

    static String msgId() {
        return "msg_" + UUID.randomUUID().toString().replace("-", "");
    }

    static long now() {
        return Instant.now().getEpochSecond();
    }

    static String secret(int seed) {
        byte[] key = new byte[32];
        java.util.Arrays.fill(key, (byte) seed);
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }
}
