package dev.junction.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.support.HubClient.Res;
import dev.junction.support.HubTest;
import dev.junction.support.JournalRows;
import dev.junction.support.Keys;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The partner API of DESIGN "Binding contracts", run against each supported database by a subclass. */
abstract class IntakeContract extends HubTest {

    static final String ORDER = "{\"orderId\":\"A-1\",\"total\":12.5}";

    Res postOrder(String body, String... headers) {
        return hub().postJson("/webhooks/acme/order-created", body, headers);
    }

    static String key() {
        return "k-" + UUID.randomUUID();
    }

    static void assertProblem(Res res, int status, String detailFragment) {
        assertThat(res.status()).as(res.toString()).isEqualTo(status);
        assertThat(res.header("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
        JsonNode p = res.json();
        assertThat(p.path("status").asInt()).isEqualTo(status);
        assertThat(p.path("type").asText()).startsWith("https://junction.dev/problems/");
        assertThat(p.path("title").asText()).isNotBlank();
        assertThat(p.path("detail").asText()).contains(detailFragment);
        assertThat(res.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void acceptsWebhookAndCommitsItBeforeAnswering() {
        String key = key();
        Res res = postOrder(ORDER, "X-API-Key", Keys.ACME, "Idempotency-Key", key, "X-Correlation-Id", "corr-1", "X-Shop", "north");

        assertThat(res.status()).as(res.toString()).isEqualTo(202);
        String receipt = res.json().path("receiptId").asText();
        assertThat(res.json().path("status").asText()).isEqualTo("accepted");
        assertThat(res.header("Location")).contains("/webhooks/acme/receipts/" + receipt);
        assertThat(res.header("Idempotent-Replayed")).isEmpty();

        Map<String, Object> row = jdbc.queryForMap(
                "SELECT m.*, b.payload, b.headers FROM message m JOIN message_body b ON b.receipt_id = m.receipt_id WHERE m.receipt_id = ?",
                receipt);
        assertThat(row.get("PARTNER") != null ? row.get("PARTNER") : row.get("partner")).isEqualTo("acme");
        Map<String, Object> r = JournalRows.columns(row);
        assertThat(r).containsEntry("event", "order-created").containsEntry("route", "acme-order-created")
                .containsEntry("idempotency_key", key)
                .containsEntry("correlation_id", "corr-1").containsEntry("kind", "webhook")
                .containsEntry("content_type", "application/json");
        assertThat(r.get("status")).isIn("accepted", "delivered");
        assertThat(new String((byte[]) r.get("payload"), StandardCharsets.UTF_8)).isEqualTo(ORDER);
        assertThat((String) r.get("headers")).contains("\"x-shop\":\"north\"").doesNotContain(Keys.ACME).doesNotContainIgnoringCase("x-api-key");
    }

    @Test
    void acceptsBearerTokenAndAnySecondKeyOfThePartner() {
        assertThat(postOrder(ORDER, "Authorization", "Bearer " + Keys.ACME).status()).isEqualTo(202);
        assertThat(postOrder(ORDER, "Authorization", "bearer " + Keys.ACME_SECONDARY).status()).isEqualTo(202);
        assertThat(postOrder(ORDER, "X-API-Key", "  " + Keys.ACME + " ").status()).isEqualTo(202);
    }

    @Test
    void refusesMissingUnknownAndExpiredKeysWith401AndStoresNothing() {
        long before = messages();
        assertProblem(postOrder(ORDER), 401, "API key");
        assertProblem(postOrder(ORDER, "X-API-Key", "not-a-key"), 401, "Unknown API key");
        assertProblem(postOrder(ORDER, "X-API-Key", Keys.ACME_EXPIRED), 401, "expired");
        assertProblem(postOrder(ORDER, "Authorization", "Basic " + Keys.ACME), 401, "API key");
        assertProblem(postOrder(ORDER, "X-API-Key", Keys.ACME, "Authorization", "Bearer " + Keys.GLOBEX), 401, "more than one");
        Res res = postOrder(ORDER);
        assertThat(res.header("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(res.header("RateLimit")).isEmpty();
        assertThat(messages()).isEqualTo(before);
    }

    @Test
    void refusesKeysOfAnotherPartnerOrOfOpsWith403AndStoresNothing() {
        long before = messages();
        assertProblem(postOrder(ORDER, "X-API-Key", Keys.GLOBEX), 403, "does not belong to partner 'acme'");
        assertProblem(postOrder(ORDER, "X-API-Key", Keys.OPS), 403, "Ops keys");
        assertProblem(hub().postJson("/webhooks/nobody/order-created", ORDER, "X-API-Key", Keys.ACME), 403, "nobody");
        assertProblem(hub().get("/webhooks/globex/receipts/x", "X-API-Key", Keys.ACME), 403, "globex");
        assertThat(messages()).isEqualTo(before);
    }

    @Test
    void opsEndpointsTakeOnlyOpsKeys() {
        assertProblem(hub().get("/ops/partners"), 401, "API key");
        assertProblem(hub().get("/ops/partners", "X-API-Key", Keys.ACME), 403, "Partner keys");
        assertProblem(hub().get("/actuator/prometheus", "X-API-Key", Keys.ACME), 403, "Partner keys");
        Res ok = hub().get("/ops/partners", "Authorization", "Bearer " + Keys.OPS);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().findValuesAsText("partner")).contains("acme", "globex");
        Res health = hub().get("/actuator/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().path("status").asText()).isEqualTo("UP");
    }

    @Test
    void undeclaredEventIs404() {
        long before = messages();
        assertProblem(hub().postJson("/webhooks/acme/order-deleted", ORDER, "X-API-Key", Keys.ACME), 404, "no event 'order-deleted'");
        assertThat(messages()).isEqualTo(before);
    }

    @Test
    void nonJsonMediaTypesAre415NeverA500() {
        long before = messages();
        byte[] form = "orderId=A-1&total=3".getBytes(StandardCharsets.UTF_8);
        assertProblem(hub().post("/webhooks/acme/order-created", "application/x-www-form-urlencoded", form, "X-API-Key", Keys.ACME), 415, "x-www-form-urlencoded");
        assertProblem(hub().post("/webhooks/acme/order-created", "text/plain", ORDER.getBytes(), "X-API-Key", Keys.ACME), 415, "text/plain");
        assertProblem(hub().post("/webhooks/acme/order-created", null, ORDER.getBytes(), "X-API-Key", Keys.ACME), 415, "Content-Type");
        assertProblem(hub().post("/webhooks/acme/order-created", "application/json; charset=iso-8859-1", ORDER.getBytes(), "X-API-Key", Keys.ACME), 415, "charset");
        assertProblem(hub().post("/webhooks/acme/order-created", "not a type", ORDER.getBytes(), "X-API-Key", Keys.ACME), 415, "not a media type");
        assertThat(messages()).isEqualTo(before);
        assertThat(hub().post("/webhooks/acme/order-created", "application/vnd.acme.order+json; charset=UTF-8", ORDER.getBytes(), "X-API-Key", Keys.ACME).status()).isEqualTo(202);
    }

    @Test
    void bodiesOverTheLimitAre413WithOrWithoutContentLength() {
        long before = messages();
        String big = "{\"orderId\":\"" + "x".repeat(5000) + "\",\"total\":1}";
        assertProblem(postOrder(big, "X-API-Key", Keys.ACME), 413, "4096 bytes");
        Res chunked = hub().send(hub().request("/webhooks/acme/order-created", "X-API-Key", Keys.ACME, "Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big.getBytes())))
                .build());
        assertProblem(chunked, 413, "4096 bytes");
        assertThat(messages()).isEqualTo(before);
    }

    @Test
    void malformedJsonIs400() {
        long before = messages();
        assertProblem(postOrder("{\"orderId\":", "X-API-Key", Keys.ACME), 400, "Malformed JSON");
        assertProblem(postOrder(ORDER + " trailing", "X-API-Key", Keys.ACME), 400, "Malformed JSON");
        assertProblem(postOrder("{\"orderId\":\"a\",\"orderId\":\"b\",\"total\":1}", "X-API-Key", Keys.ACME), 400, "Duplicate field");
        assertProblem(postOrder("[".repeat(100) + "]".repeat(100), "X-API-Key", Keys.ACME), 400, "Malformed JSON");
        assertProblem(postOrder("", "X-API-Key", Keys.ACME), 400, "empty");
        assertProblem(hub().post("/webhooks/acme/order-created", "application/json", ORDER.getBytes(StandardCharsets.UTF_16), "X-API-Key", Keys.ACME), 400, "UTF-8");
        assertProblem(hub().post("/webhooks/acme/order-created", "application/json", new byte[] {'{', '"', (byte) 0xC3, '"', ':', '1', '}'}, "X-API-Key", Keys.ACME), 400, "Malformed JSON");
        assertThat(messages()).isEqualTo(before);
    }

    @Test
    void schemaViolationsAre422WithPointers() {
        long before = messages();
        Res res = postOrder("{\"orderId\":7,\"lines\":[{\"qty\":1}]}", "X-API-Key", Keys.ACME);
        assertProblem(res, 422, "schema violation");
        List<String> pointers = res.json().path("errors").findValuesAsText("pointer");
        assertThat(pointers).containsExactlyInAnyOrder("/lines/0/sku", "/orderId", "/total");
        res.json().path("errors").forEach(e -> assertThat(e.path("message").asText()).isNotBlank());
        assertThat(messages()).isEqualTo(before);
    }

    @Test
    void repeatedIdempotencyKeyReturnsTheSameReceiptAndStoresNothingNew() {
        String key = key();
        Res first = postOrder(ORDER, "X-API-Key", Keys.ACME, "Idempotency-Key", key);
        Res again = postOrder("{\"orderId\":\"A-2\",\"total\":1}", "X-API-Key", Keys.ACME, "Idempotency-Key", key);

        assertThat(again.status()).isEqualTo(202);
        assertThat(again.json().path("receiptId").asText()).isEqualTo(first.json().path("receiptId").asText());
        assertThat(again.header("Idempotent-Replayed")).hasValue("true");
        assertThat(again.header("Location")).isEqualTo(first.header("Location"));
        assertThat(messagesWithKey("acme", key)).isEqualTo(1);

        Res otherEvent = hub().postJson("/webhooks/acme/order-updated", ORDER, "X-API-Key", Keys.ACME, "Idempotency-Key", key);
        assertThat(otherEvent.json().path("receiptId").asText()).isNotEqualTo(first.json().path("receiptId").asText());
        Res otherPartner = hub().postJson("/webhooks/globex/order-created", ORDER, "X-API-Key", Keys.GLOBEX, "Idempotency-Key", key);
        assertThat(otherPartner.header("Idempotent-Replayed")).isEmpty();
    }

    @Test
    void idempotencyKeyCanComeFromThePayload() {
        String id = key();
        String body = "{\"shipment\":{\"id\":\"" + id + "\"}}";
        Res first = hub().postJson("/webhooks/acme/shipment-booked", body, "X-API-Key", Keys.ACME);
        Res again = hub().postJson("/webhooks/acme/shipment-booked", body, "X-API-Key", Keys.ACME);
        assertThat(first.status()).isEqualTo(202);
        assertThat(again.header("Idempotent-Replayed")).hasValue("true");
        assertThat(again.json().path("receiptId").asText()).isEqualTo(first.json().path("receiptId").asText());
        assertThat(messagesWithKey("acme", id)).isEqualTo(1);

        Res missing = hub().postJson("/webhooks/acme/shipment-booked", "{\"shipment\":{}}", "X-API-Key", Keys.ACME);
        assertProblem(missing, 422, "$.shipment.id");
        assertThat(missing.json().path("errors").get(0).path("pointer").asText()).isEqualTo("/shipment/id");
    }

    @Test
    void badIdempotencyKeysAre400() {
        assertProblem(postOrder(ORDER, "X-API-Key", Keys.ACME, "Idempotency-Key", "x".repeat(256)), 400, "Idempotency-Key");
        long before = messages();
        byte[] latin1Key = ("POST /webhooks/acme/order-created HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                + "X-API-Key: " + Keys.ACME + "\r\nContent-Type: application/json\r\nIdempotency-Key: a\u00e9b\r\n"
                + "Content-Length: " + ORDER.length() + "\r\n\r\n" + ORDER).getBytes(StandardCharsets.ISO_8859_1);
        assertThat(hub().raw(latin1Key)).isEqualTo(400);
        assertThat(messages()).isEqualTo(before);
    }

    @Test
    void concurrentRequestsWithOneKeyStoreExactlyOneMessage() throws Exception {
        String key = key();
        int n = 32;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Res>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return postOrder(ORDER, "X-API-Key", Keys.ACME, "Idempotency-Key", key);
                }));
            }
            start.countDown();
            List<Res> responses = new ArrayList<>();
            for (Future<Res> f : futures) {
                responses.add(f.get(60, TimeUnit.SECONDS));
            }
            assertThat(responses).allSatisfy(r -> assertThat(r.status()).isEqualTo(202));
            assertThat(responses.stream().map(r -> r.json().path("receiptId").asText()).distinct()).hasSize(1);
            assertThat(responses.stream().filter(r -> r.header("Idempotent-Replayed").isEmpty())).hasSize(1);
            assertThat(messagesWithKey("acme", key)).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void receiptsShowTheMessageOnlyToItsPartner() {
        Res accepted = postOrder(ORDER, "X-API-Key", Keys.ACME);
        String id = accepted.json().path("receiptId").asText();

        Res receipt = hub().get("/webhooks/acme/receipts/" + id, "X-API-Key", Keys.ACME);
        assertThat(receipt.status()).isEqualTo(200);
        JsonNode r = receipt.json();
        assertThat(r.path("receiptId").asText()).isEqualTo(id);
        assertThat(r.path("partner").asText()).isEqualTo("acme");
        assertThat(r.path("event").asText()).isEqualTo("order-created");
        assertThat(r.path("status").asText()).isIn("accepted", "delivered", "retrying");
        assertThat(r.path("receivedAt").asText()).isNotBlank();
        for (String field : List.of("attempts", "deliveredAt", "nextAttemptAt", "lastError")) {
            assertThat(r.has(field)).as(field).isTrue();
        }
        String globexReceipt = hub().postJson("/webhooks/globex/order-created", ORDER, "X-API-Key", Keys.GLOBEX).json().path("receiptId").asText();
        assertProblem(hub().get("/webhooks/acme/receipts/" + globexReceipt, "X-API-Key", Keys.ACME), 404, "No receipt");
        assertProblem(hub().get("/webhooks/acme/receipts/nope", "X-API-Key", Keys.ACME), 404, "No receipt");
    }

    @Test
    void everyAuthenticatedResponseCarriesRateLimitHeaders() {
        for (Res res : List.of(postOrder(ORDER, "X-API-Key", Keys.ACME),
                postOrder("{", "X-API-Key", Keys.ACME),
                hub().get("/webhooks/acme/receipts/none", "X-API-Key", Keys.ACME))) {
            assertThat(res.header("RateLimit-Policy")).as(res.toString()).hasValue("\"default\";q=100000;w=1");
            assertThat(res.header("RateLimit")).hasValueSatisfying(v -> assertThat(v).matches("\"default\";r=\\d+;t=\\d+"));
        }
    }

    @Test
    void unknownPathsAndMethodsAreProblemsToo() {
        assertProblem(hub().get("/nothing-here"), 404, "/nothing-here");
        assertProblem(hub().get("/webhooks/acme/order-created", "X-API-Key", Keys.ACME), 405, "GET");
        // Not a normalised URI: the security firewall refuses it before authentication, and nothing is stored.
        long before = messages();
        assertProblem(hub().postJson("/webhooks/acme/%2e%2e/globex/order-created", ORDER, "X-API-Key", Keys.ACME), 400, "URL");
        assertThat(messages()).isEqualTo(before);
    }
}
