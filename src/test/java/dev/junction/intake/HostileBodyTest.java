package dev.junction.intake;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.support.HubClient;
import dev.junction.support.HubClient.Res;
import dev.junction.support.HubTest;
import dev.junction.support.Keys;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Hostile bodies against a running hub (acme: 4096-byte limit, JSON Schema on order-created): each is a 4xx
 * problem, never a 5xx, stores nothing, and thousands of them leave the heap where it was.
 */
class HostileBodyTest extends HubTest {

    static final String PATH = "/webhooks/acme/order-created";
    static final String ORDER = "{\"orderId\":\"A-1\",\"total\":12.5}";
    /** Well past acme's 4096 bytes: a hub that buffered and kept these would show it on the heap (see below). */
    static final byte[] OVERSIZED = ("{\"orderId\":\"" + "x".repeat(256 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);

    @DynamicPropertySource
    static void h2(DynamicPropertyRegistry registry) throws Exception {
        var dir = Files.createTempDirectory("junction-hostile");
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + dir.resolve("junction") + ";WRITE_DELAY=0");
    }

    record Hostile(String name, int status, Function<HubClient, HttpRequest> request) {}

    static final List<Hostile> HOSTILE = List.of(
            bytes("oversized with Content-Length", 413, "application/json", OVERSIZED),
            new Hostile("oversized chunked", 413, hub -> post(hub, "application/json")
                    .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(OVERSIZED))).build()),
            json("truncated JSON", 400, "{\"orderId\":\"A-1\",\"tot"),
            json("deeply nested arrays", 400, "[".repeat(4000)),
            json("deeply nested objects", 400, "{\"a\":".repeat(600) + "1" + "}".repeat(600)),
            json("empty", 400, ""),
            json("whitespace only", 400, " \n\t "),
            new Hostile("empty chunked", 400, hub -> post(hub, "application/json")
                    .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[0]))).build()),
            bytes("UTF-16 as application/json", 400, "application/json", ORDER.getBytes(StandardCharsets.UTF_16)),
            bytes("UTF-16 declared", 415, "application/json; charset=utf-16", ORDER.getBytes(StandardCharsets.UTF_16)),
            bytes("latin-1 declared", 415, "application/json; charset=iso-8859-1", ORDER.getBytes(StandardCharsets.ISO_8859_1)),
            bytes("latin-1 bytes undeclared", 400, "application/json",
                    "{\"orderId\":\"caf\u00e9\",\"total\":1}".getBytes(StandardCharsets.ISO_8859_1)),
            bytes("UTF-8 byte order mark", 400, "application/json",
                    ("\uFEFF" + ORDER).getBytes(StandardCharsets.UTF_8)),
            bytes("text/plain", 415, "text/plain", ORDER.getBytes()),
            bytes("form", 415, "application/x-www-form-urlencoded", "orderId=A-1&total=1".getBytes()),
            bytes("multipart", 415, "multipart/form-data; boundary=b", ("--b\r\n\r\n" + ORDER + "\r\n--b--").getBytes()),
            bytes("no Content-Type", 415, null, ORDER.getBytes()),
            json("schema violation", 422, "{\"orderId\":7}"));

    @Test
    void everyHostileBodyIsA4xxProblemAndStoresNothing() {
        long before = messages();
        for (Hostile h : HOSTILE) {
            Res res = hub().send(h.request().apply(hub()));
            assertThat(res.status()).as(h.name() + ": " + res).isEqualTo(h.status());
            assertThat(res.header("Content-Type")).as(h.name()).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
            assertThat(res.json().path("status").asInt()).as(h.name()).isEqualTo(h.status());
            assertThat(messages()).as(h.name() + " stored nothing").isEqualTo(before);
        }
    }

    @Test
    void aBodyCutShortOfItsContentLengthIsA400AndStoresNothing() {
        long before = messages();
        byte[] truncated = ("POST " + PATH + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nX-API-Key: " + Keys.ACME
                + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"orderId\":\"A-1\",").getBytes(StandardCharsets.US_ASCII);
        assertThat(hub().rawThenEndOfInput(truncated)).isEqualTo(400);
        assertThat(messages()).isEqualTo(before);
    }

    /**
     * 2,000 hostile requests (about 110 of each of 18 kinds, 60 MiB of oversized bodies among them) must not grow the heap
     * retained after a full GC by 16 MiB or more; a quiet run grows it by well under 1 MiB. The bound leaves room
     * for caches that legitimately settle in this JVM, which the hub shares with the test (JIT, Tomcat's pools,
     * metrics, H2's page cache), and still catches what matters: keeping the oversized chunked bodies (30 MiB), or
     * about 8 KiB per refused request, e.g. a log, map or metric tag per request that is never released.
     */
    @Test
    void heapStaysFlatOverTwoThousandHostileRequests() {
        long before = messages();
        sendRound(HOSTILE.size() * 5); // warm-up: classes, JIT, connection and buffer pools
        long baseline = usedHeapAfterGc();

        sendRound(2_000);

        long growth = usedHeapAfterGc() - baseline;
        LoggerFactory.getLogger(HostileBodyTest.class).info("heap growth over 2,000 hostile requests: {} KiB", growth / 1024);
        assertThat(growth).as("heap growth in bytes").isLessThan(16L * 1024 * 1024);
        assertThat(messages()).isEqualTo(before);
    }

    private void sendRound(int requests) {
        HubClient hub = hub();
        for (int i = 0; i < requests; i++) {
            Hostile h = HOSTILE.get(i % HOSTILE.size());
            assertThat(hub.send(h.request().apply(hub)).status()).as(h.name()).isEqualTo(h.status());
        }
    }

    private static long usedHeapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static Hostile json(String name, int status, String body) {
        return bytes(name, status, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    private static Hostile bytes(String name, int status, String contentType, byte[] body) {
        return new Hostile(name, status, hub -> post(hub, contentType).POST(BodyPublishers.ofByteArray(body)).build());
    }

    private static HttpRequest.Builder post(HubClient hub, String contentType) {
        HttpRequest.Builder b = hub.request(PATH, "X-API-Key", Keys.ACME);
        return contentType == null ? b : b.header("Content-Type", contentType);
    }
}
