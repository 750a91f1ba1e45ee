package dev.junction.delivery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.junction.support.HubClient;
import dev.junction.support.Keys;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;

/** Delivery semantics of DESIGN against WireMock targets, run on each database by a subclass. */
@AutoConfigureObservability(tracing = false)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "junction.connectors-dir=src/test/resources/delivery/connectors",
        "junction.routes-dir=src/test/resources/delivery/routes",
        "junction.ops-api-key=" + Keys.OPS,
        "junction.delivery.poll-interval=100ms",
        "SHOP_ERP_TOKEN=test-token",
})
abstract class DeliveryContract {

    static final WireMockServer TARGET = new WireMockServer(options().dynamicPort());

    static {
        TARGET.start();
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    @Autowired
    Breakers breakers;

    @Autowired
    DeliveryStore store;

    static void targetUrl(DynamicPropertyRegistry registry) {
        registry.add("SHOP_ERP_URL", TARGET::baseUrl);
    }

    @BeforeEach
    void defaultStubs() {
        TARGET.resetAll();
        TARGET.stubFor(post(urlPathEqualTo("/orders")).atPriority(10).willReturn(aResponse().withStatus(200)));
    }

    HubClient hub() {
        return new HubClient(port);
    }

    String accept(String partner, String key, String event, String body, String... headers) {
        List<String> all = new ArrayList<>(List.of("X-API-Key", key));
        all.addAll(List.of(headers));
        HubClient.Res res = hub().postJson("/webhooks/" + partner + "/" + event, body, all.toArray(String[]::new));
        assertThat(res.status()).as(res.toString()).isEqualTo(202);
        return res.json().path("receiptId").asText();
    }

    JsonNode awaitStatus(String partner, String key, String receipt, String status, Duration within) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(within).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            last[0] = hub().get("/webhooks/" + partner + "/receipts/" + receipt, "X-API-Key", key).json();
            assertThat(last[0].path("status").asText()).as(last[0].toString()).isEqualTo(status);
        });
        return last[0];
    }

    List<Map<String, Object>> attempts(String receipt) {
        return jdbc.queryForList("SELECT replay, attempt, started_at, duration_ms, outcome, http_status, error_class, error_message "
                + "FROM delivery_attempt WHERE receipt_id = ? ORDER BY id", receipt);
    }

    static Instant startedAt(Map<String, Object> attempt) {
        Object v = attempt.get("started_at") != null ? attempt.get("started_at") : attempt.get("STARTED_AT");
        return v instanceof OffsetDateTime o ? o.toInstant() : ((java.sql.Timestamp) v).toInstant();
    }

    static Object col(Map<String, Object> row, String name) {
        return row.containsKey(name) ? row.get(name) : row.get(name.toUpperCase());
    }

    List<LoggedRequest> received(String idempotencyKey) {
        return TARGET.findAll(postRequestedFor(com.github.tomakehurst.wiremock.client.WireMock.anyUrl())
                .withHeader("Idempotency-Key", equalTo(idempotencyKey)));
    }

    static String marker() {
        return "m-" + UUID.randomUUID();
    }

    @Test
    void deliversToTheTargetRightAfterCommitWithCleanHeaders() {
        String receipt = accept("shop", Keys.SHOP, "order-created", "{\"id\":1}", "X-Correlation-Id", "corr-7",
                "Authorization-Hint", "x", "X-Partner-Secret", "never-forward");
        JsonNode r = awaitStatus("shop", Keys.SHOP, receipt, "delivered", Duration.ofSeconds(20));

        assertThat(r.path("attempts").asInt()).isEqualTo(1);
        assertThat(r.path("deliveredAt").isNull()).isFalse();
        List<LoggedRequest> calls = received(receipt);
        assertThat(calls).hasSize(1);
        LoggedRequest call = calls.get(0);
        assertThat(call.getUrl()).isEqualTo("/orders");
        assertThat(call.getBodyAsString()).isEqualTo("{\"id\":1}");
        assertThat(call.getHeader("X-Correlation-Id")).isEqualTo("corr-7");
        assertThat(call.getHeader("Authorization")).isEqualTo("Bearer test-token");
        assertThat(call.getHeader("X-Tenant")).isEqualTo("shop");
        assertThat(call.getHeader("Content-Type")).startsWith("application/json");
        assertThat(call.containsHeader("X-API-Key")).isFalse();
        assertThat(call.containsHeader("X-Partner-Secret")).isFalse();
        assertThat(call.containsHeader("JunctionPartner")).isFalse();
        List<Map<String, Object>> history = attempts(receipt);
        assertThat(history).hasSize(1);
        assertThat(col(history.get(0), "outcome")).isEqualTo("delivered");
        assertThat(((Number) col(history.get(0), "http_status")).intValue()).isEqualTo(200);
    }

    @Test
    void retriesServerErrorsOnTheBackoffScheduleThenDeadLetters() {
        String m = marker();
        TARGET.stubFor(post(urlPathEqualTo("/orders")).withRequestBody(containing(m)).willReturn(aResponse().withStatus(500).withBody("boom")));
        String receipt = accept("shop", Keys.SHOP, "order-created", "{\"m\":\"" + m + "\"}");
        JsonNode r = awaitStatus("shop", Keys.SHOP, receipt, "dead", Duration.ofSeconds(30));

        assertThat(r.path("attempts").asInt()).isEqualTo(4);
        assertThat(r.path("lastError").asText()).contains("HTTP 500");
        List<Map<String, Object>> history = attempts(receipt);
        assertThat(history).extracting(a -> col(a, "outcome")).containsExactly("retry", "retry", "retry", "dead");
        assertThat(history).extracting(a -> ((Number) col(a, "attempt")).intValue()).containsExactly(1, 2, 3, 4);
        for (int n = 1; n < history.size(); n++) {
            long planned = Math.round(300 * Math.pow(2, n - 1));
            long gap = Duration.between(startedAt(history.get(n - 1)), startedAt(history.get(n))).toMillis();
            assertThat(gap).as("gap after attempt %d", n).isGreaterThanOrEqualTo((long) (planned * 0.8));
        }
        assertThat(received(receipt)).hasSize(4);
    }

    @Test
    void clientErrorsAreDeadAtOnceAndServerErrorsOfPlainHttpAreRetriedAlike() {
        String m = marker();
        TARGET.stubFor(post(urlPathEqualTo("/orders")).withRequestBody(containing(m)).willReturn(aResponse().withStatus(400)));
        String bad = accept("shop", Keys.SHOP, "order-created", "{\"m\":\"" + m + "\"}");
        JsonNode r = awaitStatus("shop", Keys.SHOP, bad, "dead", Duration.ofSeconds(20));
        assertThat(r.path("lastError").asText()).contains("HTTP 400");
        assertTheFirst4xxEndedIt(bad, 400);

        TARGET.stubFor(post(urlPathEqualTo("/plain")).withRequestBody(containing(m)).willReturn(aResponse().withStatus(404)));
        String plain404 = accept("shop", Keys.SHOP, "order-plain", "{\"m\":\"" + m + "\"}");
        awaitStatus("shop", Keys.SHOP, plain404, "dead", Duration.ofSeconds(20));
        assertTheFirst4xxEndedIt(plain404, 404);

        String m2 = marker();
        TARGET.stubFor(post(urlPathEqualTo("/plain")).withRequestBody(containing(m2)).willReturn(aResponse().withStatus(503)));
        String plain503 = accept("shop", Keys.SHOP, "order-plain", "{\"m\":\"" + m2 + "\"}");
        JsonNode retrying = awaitStatus("shop", Keys.SHOP, plain503, "retrying", Duration.ofSeconds(20));
        assertThat(retrying.path("lastError").asText()).contains("503");
        assertThat(retrying.path("nextAttemptAt").isNull()).isFalse();
    }

    /**
     * camel-http's client re-executes a 503 or 429 by itself after a second: a target answering 503, 503, 200 was
     * delivered with two recorded attempts for three calls. Every call must be one attempt of the hub's.
     */
    @Test
    void aPlainHttpCallIsOneAttemptTheClientNeverRetriesByItself() {
        String m = marker();
        String scenario = "flaky-" + m;
        TARGET.stubFor(post(urlPathEqualTo("/plain")).withRequestBody(containing(m)).inScenario(scenario)
                .whenScenarioStateIs(Scenario.STARTED).willReturn(aResponse().withStatus(503)).willSetStateTo("second"));
        TARGET.stubFor(post(urlPathEqualTo("/plain")).withRequestBody(containing(m)).inScenario(scenario)
                .whenScenarioStateIs("second").willReturn(aResponse().withStatus(429)).willSetStateTo("third"));
        TARGET.stubFor(post(urlPathEqualTo("/plain")).withRequestBody(containing(m)).inScenario(scenario)
                .whenScenarioStateIs("third").willReturn(aResponse().withStatus(200)));
        String receipt = accept("shop", Keys.SHOP, "order-plain", "{\"m\":\"" + m + "\"}");

        JsonNode r = awaitStatus("shop", Keys.SHOP, receipt, "delivered", Duration.ofSeconds(30));
        assertThat(received(receipt)).hasSize(3);
        assertThat(r.path("attempts").asInt()).isEqualTo(3);
        assertThat(attempts(receipt)).extracting(a -> col(a, "http_status") == null ? null : ((Number) col(a, "http_status")).intValue())
                .containsExactly(503, 429, 200);
    }

    /** The attempt that met the 4xx was the last one (a cold first call may time out on a loaded machine first). */
    void assertTheFirst4xxEndedIt(String receipt, int status) {
        List<Map<String, Object>> history = attempts(receipt);
        Map<String, Object> last = history.get(history.size() - 1);
        assertThat(col(last, "outcome")).isEqualTo("dead");
        assertThat(((Number) col(last, "http_status")).intValue()).isEqualTo(status);
        assertThat(history.subList(0, history.size() - 1)).allSatisfy(a -> assertThat(col(a, "http_status")).isNull());
    }

    @Test
    void timeoutsAreRetried() {
        String m = marker();
        TARGET.stubFor(post(urlPathEqualTo("/orders")).withRequestBody(containing(m)).willReturn(aResponse().withStatus(200).withFixedDelay(6000)));
        String receipt = accept("shop", Keys.SHOP, "order-created", "{\"m\":\"" + m + "\"}");
        JsonNode r = awaitStatus("shop", Keys.SHOP, receipt, "retrying", Duration.ofSeconds(20));
        assertThat(r.path("lastError").asText()).containsIgnoringCase("timed out");
    }

    @Test
    void aPayloadTheRouteCannotMapIsDeadAtOnce() {
        String receipt = accept("shop", Keys.SHOP, "order-unmappable", "{}");
        JsonNode r = awaitStatus("shop", Keys.SHOP, receipt, "dead", Duration.ofSeconds(20));
        assertThat(r.path("attempts").asInt()).isEqualTo(1);
        assertThat(r.path("lastError").asText()).contains("NonRetryableDeliveryException").contains("cannot map this order");
    }

    @Test
    void honoursRetryAfterOn429InsteadOfTheSlowerSchedule() {
        TARGET.stubFor(post(urlPathEqualTo("/patient")).inScenario("throttle").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")).willSetStateTo("open"));
        TARGET.stubFor(post(urlPathEqualTo("/patient")).inScenario("throttle").whenScenarioStateIs("open")
                .willReturn(aResponse().withStatus(200)));
        String receipt = accept("patient", Keys.PATIENT, "order-created", "{}");
        // The partner's own schedule would wait 20 s; Retry-After asks for 1 s.
        JsonNode r = awaitStatus("patient", Keys.PATIENT, receipt, "delivered", Duration.ofSeconds(15));
        assertThat(r.path("attempts").asInt()).isEqualTo(2);
        List<Map<String, Object>> history = attempts(receipt);
        assertThat(Duration.between(startedAt(history.get(0)), startedAt(history.get(1))).toMillis()).isGreaterThanOrEqualTo(1000);
        assertThat(((Number) col(history.get(0), "http_status")).intValue()).isEqualTo(429);
    }

    @Test
    void anOpenBreakerParksMessagesWithoutSpendingAttempts() {
        TARGET.stubFor(post(urlPathEqualTo("/breaky")).willReturn(aResponse().withStatus(500)));
        List<String> receipts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            receipts.add(accept("breaky", Keys.BREAKY, "order-created", "{\"n\":" + i + "}"));
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(jdbc.queryForObject(
                "SELECT COUNT(*) FROM message WHERE partner = 'breaky' AND last_error LIKE '%circuit breaker open%'"
                        + " AND parked_on = 'breaky/erp'", Long.class)).isEqualTo(5));

        // One call is one attempt. A message's first failure is forgiven, so the breaker (a window of 2) opened on the
        // second failed call of exactly two messages, and no message was called after that.
        List<LoggedRequest> calls = TARGET.findAll(postRequestedFor(urlPathEqualTo("/breaky")));
        assertThat(jdbc.queryForObject("SELECT SUM(attempts) FROM message WHERE partner = 'breaky'", Long.class)).isEqualTo(calls.size());
        assertThat(calls.stream().collect(java.util.stream.Collectors.groupingBy(c -> c.getHeader("Idempotency-Key"),
                java.util.stream.Collectors.counting())).values()).filteredOn(n -> n > 1).containsExactly(2L, 2L);
        JsonNode partners = hub().get("/ops/partners", "X-API-Key", Keys.OPS).json();
        JsonNode breaky = null;
        for (JsonNode p : partners) {
            if (p.path("partner").asText().equals("breaky")) {
                breaky = p;
            }
        }
        assertThat(breaky).isNotNull();
        assertThat(breaky.path("targets").get(0).path("breaker").asText()).isEqualTo("OPEN");
        assertThat(breaky.path("targets").get(0).path("parked").asInt()).isEqualTo(5);
        assertThat(breaky.path("counts").path("retrying").asInt()).isEqualTo(5);
        assertThat(breaky.path("oldestPendingAgeSeconds").asDouble()).isGreaterThanOrEqualTo(0);
    }

    /**
     * While a breaker is open its messages wait parked: they are not dispatched again every open period only to be
     * postponed again (100 messages and a 2 s open period were 50 dispatches a second). Only the half-open rounds'
     * trials run, and when the target is back every message is delivered within a few open periods.
     */
    @Test
    void messagesParkWhileTheBreakerIsOpenAndOnlyTrialsAreDispatched() {
        TARGET.stubFor(post(urlPathEqualTo("/parky")).willReturn(aResponse().withStatus(503)));
        List<String> receipts = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            receipts.add(accept("parky", Keys.PARKY, "order-created", "{\"n\":" + i + "}"));
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(jdbc.queryForObject(
                "SELECT COUNT(*) FROM message WHERE partner = 'parky' AND parked_on = 'parky/erp'", Long.class)).isEqualTo(100));

        java.util.concurrent.atomic.AtomicInteger rounds = new java.util.concurrent.atomic.AtomicInteger();
        breakers.of("parky", "erp").breaker().getEventPublisher().onStateTransition(e -> {
            if (e.getStateTransition().getToState() == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.HALF_OPEN) {
                rounds.incrementAndGet();
            }
        });
        double dispatchesBefore = dispatches("parky");
        int callsBefore = TARGET.findAll(postRequestedFor(urlPathEqualTo("/parky"))).size();
        long attemptsBefore = jdbc.queryForObject("SELECT SUM(attempts) FROM message WHERE partner = 'parky'", Long.class);
        await().atMost(Duration.ofSeconds(30)).until(() -> rounds.get() >= 3); // three open periods of 2 s, and their trials
        double dispatched = dispatches("parky") - dispatchesBefore;
        int calls = TARGET.findAll(postRequestedFor(urlPathEqualTo("/parky"))).size() - callsBefore;
        int seen = rounds.get() + 1;
        // Each half-open round runs 3 trials (a call each, then parked again when its retry comes due while open).
        assertThat(calls).as("calls in %d half-open rounds", seen).isLessThanOrEqualTo(3 * seen);
        assertThat(dispatched).as("dispatches in %d half-open rounds", seen).isLessThanOrEqualTo(2 * 3 * seen);
        // One call, one attempt (read between rounds: a trial's outcome is committed a moment after its call).
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                jdbc.queryForObject("SELECT SUM(attempts) FROM message WHERE partner = 'parky'", Long.class) - attemptsBefore)
                .isEqualTo(TARGET.findAll(postRequestedFor(urlPathEqualTo("/parky"))).size() - callsBefore));

        TARGET.stubFor(post(urlPathEqualTo("/parky")).willReturn(aResponse().withStatus(200)));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(jdbc.queryForObject(
                "SELECT COUNT(*) FROM message WHERE partner = 'parky' AND status = 'delivered' AND parked_on IS NULL", Long.class)).isEqualTo(100));
        for (String receipt : receipts) {
            assertThat(TARGET.getAllServeEvents().stream().filter(e -> receipt.equals(e.getRequest().getHeader("Idempotency-Key"))
                    && e.getResponse().getStatus() == 200).count()).as(receipt).isEqualTo(1);
        }
    }

    /**
     * A target that fails each message's first call and takes the second answers half its calls: it must keep
     * draining with the default breaker (before: every half-open trial went to a first call, and nothing drained).
     */
    @Test
    void aTargetThatFailsEachMessagesFirstCallKeepsDraining() {
        List<String> receipts = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String m = marker();
            TARGET.stubFor(post(urlPathEqualTo("/halfy")).withRequestBody(containing(m)).inScenario(m)
                    .whenScenarioStateIs(Scenario.STARTED).willReturn(aResponse().withStatus(503)).willSetStateTo("called"));
            TARGET.stubFor(post(urlPathEqualTo("/halfy")).withRequestBody(containing(m)).inScenario(m)
                    .whenScenarioStateIs("called").willReturn(aResponse().withStatus(200)));
            receipts.add(accept("halfy", Keys.HALFY, "order-created", "{\"m\":\"" + m + "\"}"));
        }
        await().atMost(Duration.ofSeconds(45)).untilAsserted(() -> assertThat(jdbc.queryForObject(
                "SELECT COUNT(*) FROM message WHERE partner = 'halfy' AND status = 'delivered'", Long.class)).isEqualTo(60));
        assertThat(jdbc.queryForList("SELECT DISTINCT attempts FROM message WHERE partner = 'halfy'", Integer.class)).containsExactly(2);
        assertThat(TARGET.findAll(postRequestedFor(urlPathEqualTo("/halfy")))).hasSize(120);
        assertThat(meters.find("junction.messages.parked").tag("partner", "halfy").counter()).isNull();
    }

    /**
     * An expected failure is one line at WARN with what ops need (receipt, partner, event, target, attempt, status or
     * error, next attempt) and no stack trace; an unexpected exception gets its trace once a minute, not per attempt.
     * Camel's error handler logged each failed attempt at ERROR with ~49 lines.
     */
    @Test
    void eachFailedAttemptIsOneLogLineWithoutAStackTrace() {
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs = new ch.qos.logback.core.read.ListAppender<>();
        logs.start();
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(logs);
        try {
            String m = marker();
            TARGET.stubFor(post(urlPathEqualTo("/orders")).withRequestBody(containing(m)).willReturn(aResponse().withStatus(503)));
            TARGET.stubFor(post(urlPathEqualTo("/plain")).withRequestBody(containing(m)).willReturn(aResponse().withStatus(502)));
            String viaTarget = accept("shop", Keys.SHOP, "order-created", "{\"m\":\"" + m + "\"}");
            String viaHttp = accept("shop", Keys.SHOP, "order-plain", "{\"m\":\"" + m + "\"}");
            String buggy = accept("shop", Keys.SHOP, "order-buggy", "{}");
            for (String receipt : List.of(viaTarget, viaHttp, buggy)) {
                awaitStatus("shop", Keys.SHOP, receipt, "dead", Duration.ofSeconds(30));
            }

            assertOneLinePerAttempt(logs, viaTarget, "target=shop/erp", "status=503");
            assertOneLinePerAttempt(logs, viaHttp, "target=" + TARGET.baseUrl() + "/plain", "status=502");
            List<ch.qos.logback.classic.spi.ILoggingEvent> bug = about(logs, buggy);
            assertThat(bug).hasSize(4);
            assertThat(bug).allSatisfy(e -> assertThat(e.getFormattedMessage()).contains("error=IllegalStateException \"a bug in a mapping bean\""));
            assertThat(bug.get(0).getThrowableProxy()).as("the first unexpected exception's stack trace").isNotNull();
            assertThat(bug.subList(1, 4)).allSatisfy(e -> assertThat(e.getThrowableProxy()).isNull());
            assertThat(List.copyOf(logs.list)).filteredOn(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR).isEmpty();
        } finally {
            root.detachAppender(logs);
        }
    }

    static void assertOneLinePerAttempt(ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs,
                                        String receipt, String target, String status) {
        List<ch.qos.logback.classic.spi.ILoggingEvent> lines = about(logs, receipt);
        assertThat(lines).as("log lines of %s", receipt).hasSize(4);
        assertThat(lines).allSatisfy(e -> {
            assertThat(e.getLevel()).isEqualTo(ch.qos.logback.classic.Level.WARN);
            assertThat(e.getThrowableProxy()).isNull();
            assertThat(e.getFormattedMessage()).contains("partner=shop", target, status).doesNotContain("\n");
        });
        for (int n = 0; n < 3; n++) {
            assertThat(lines.get(n).getFormattedMessage()).contains("retrying", "attempt=" + (n + 1) + "/4", "next=20");
        }
        assertThat(lines.get(3).getFormattedMessage()).contains("dead letter", "attempt=4/4", "next=none");
    }

    static List<ch.qos.logback.classic.spi.ILoggingEvent> about(
            ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs, String receipt) {
        return List.copyOf(logs.list).stream().filter(e -> e.getFormattedMessage().contains(receipt)
                || (e.getThrowableProxy() != null && String.valueOf(e.getThrowableProxy().getMessage()).contains(receipt))).toList();
    }

    /**
     * Half-open trials go to parked messages that already failed against the target, fewest attempts first, then the
     * oldest; when the breaker closes, every parked message comes due in receipt order.
     */
    @Test
    void trialsGoToMessagesThatFailedBeforeAndClosingReleasesAllInReceiptOrder() {
        String partner = "trialz-" + UUID.randomUUID().toString().substring(0, 8); // no lane: nothing but this test touches its rows
        String target = partner + "/erp";
        OffsetDateTime t0 = OffsetDateTime.parse("2026-11-30T10:00:00Z");
        int[] attemptsByAge = {0, 3, 1, 0, 1, 2};
        for (int i = 0; i < attemptsByAge.length; i++) {
            jdbc.update("""
                    INSERT INTO message (receipt_id, kind, partner, event, route, correlation_id, content_type, status, attempts,
                                         received_at, next_attempt_at, parked_on)
                    VALUES (?, 'webhook', ?, 'e', 'r', 'c', 'application/json', 'retrying', ?, ?, ?, ?)""",
                    partner + "-" + i, partner, attemptsByAge[i], t0.plusSeconds(i), t0.plusDays(1), target);
        }

        assertThat(store.unparkTrials(partner, target, 3)).containsExactly(partner + "-2", partner + "-4", partner + "-5");
        assertThat(store.unparkAll(partner, target)).isEqualTo(3);
        assertThat(jdbc.queryForList("SELECT receipt_id FROM message WHERE partner = ? AND parked_on IS NULL"
                + " AND next_attempt_at = received_at ORDER BY next_attempt_at", String.class, partner))
                .containsExactly(partner + "-0", partner + "-1", partner + "-2", partner + "-3", partner + "-4", partner + "-5");
        assertThat(store.parkedTargets(partner)).isEmpty();
        jdbc.update("DELETE FROM message WHERE partner = ?", partner);
    }

    /** Route runs of a partner: every dispatch ends delivered, retried, dead or parked. */
    double dispatches(String partner) {
        return List.of("junction.messages.delivered", "junction.messages.retried", "junction.messages.dead", "junction.messages.parked")
                .stream().flatMap(name -> meters.find(name).tag("partner", partner).counters().stream())
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }

    @Test
    void replayDeliversADeadLetterExactlyOnceAfterTheTargetRecovers() {
        String m = marker();
        TARGET.stubFor(post(urlPathEqualTo("/orders")).withRequestBody(containing(m)).atPriority(1)
                .willReturn(aResponse().withStatus(500)));
        String receipt = accept("shop", Keys.SHOP, "order-created", "{\"m\":\"" + m + "\"}", "X-Shop", "north");
        awaitStatus("shop", Keys.SHOP, receipt, "dead", Duration.ofSeconds(30));

        TARGET.stubFor(post(urlPathEqualTo("/orders")).withRequestBody(containing(m)).atPriority(1)
                .willReturn(aResponse().withStatus(201)));
        HubClient.Res replay = hub().post("/ops/dead-letters/" + receipt + "/replay", null, new byte[0], "X-API-Key", Keys.OPS);
        assertThat(replay.status()).as(replay.toString()).isEqualTo(202);
        JsonNode r = awaitStatus("shop", Keys.SHOP, receipt, "delivered", Duration.ofSeconds(20));
        assertThat(r.path("attempts").asInt()).isEqualTo(1);

        assertThat(received(receipt)).hasSize(5);
        long successes = TARGET.getAllServeEvents().stream()
                .filter(e -> receipt.equals(e.getRequest().getHeader("Idempotency-Key")) && e.getResponse().getStatus() == 201).count();
        assertThat(successes).isEqualTo(1);
        HubClient.Res again = hub().post("/ops/dead-letters/" + receipt + "/replay", null, new byte[0], "X-API-Key", Keys.OPS);
        assertThat(again.status()).isEqualTo(409);

        JsonNode detail = hub().get("/ops/dead-letters/" + receipt, "X-API-Key", Keys.OPS).json();
        assertThat(detail.path("payload").path("m").asText()).isEqualTo(m);
        assertThat(detail.path("headers").path("x-shop").asText()).isEqualTo("north");
        assertThat(detail.path("headers").has("x-api-key")).isFalse();
        assertThat(detail.path("attemptHistory")).hasSize(5);
        assertThat(detail.path("attemptHistory").get(4).path("replay").asInt()).isEqualTo(1);
        JsonNode audit = hub().get("/ops/audit?receiptId=" + receipt, "X-API-Key", Keys.OPS).json();
        assertThat(audit).hasSize(1);
        assertThat(audit.get(0).path("action").asText()).isEqualTo("replay");
        assertThat(audit.get(0).path("actor").asText()).isEqualTo("env");
    }

    @Test
    void listsDeadLettersByPageAndBulkReplaysWithADryRunCount() {
        List<String> dead = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            dead.add(accept("shop", Keys.SHOP, "order-unmappable-bulk", "{\"n\":" + i + "}"));
        }
        for (String id : dead) {
            awaitStatus("shop", Keys.SHOP, id, "dead", Duration.ofSeconds(20));
        }
        HubClient.Res first = hub().get("/ops/dead-letters?partner=shop&event=order-unmappable-bulk&limit=2", "X-API-Key", Keys.OPS);
        assertThat(first.json().path("items")).hasSize(2);
        String cursor = first.json().path("nextCursor").asText();
        assertThat(cursor).isNotBlank();
        HubClient.Res second = hub().get("/ops/dead-letters?partner=shop&event=order-unmappable-bulk&limit=2&cursor=" + cursor, "X-API-Key", Keys.OPS);
        assertThat(second.json().path("items")).hasSize(1);
        assertThat(second.json().path("nextCursor").isNull()).isTrue();
        List<String> listed = new ArrayList<>(first.json().path("items").findValuesAsText("receiptId"));
        listed.addAll(second.json().path("items").findValuesAsText("receiptId"));
        assertThat(listed).containsExactlyInAnyOrderElementsOf(dead);
        JsonNode item = first.json().path("items").get(0);
        for (String field : List.of("receiptId", "partner", "event", "attempts", "lastError", "deadAt")) {
            assertThat(item.has(field)).as(field).isTrue();
        }

        // The console's filters: a piece of the last error (any case; % and _ match themselves) and the time of death.
        String lastError = item.path("lastError").asText();
        String piece = java.net.URLEncoder.encode(lastError.substring(0, Math.min(10, lastError.length())).toUpperCase(java.util.Locale.ROOT),
                java.nio.charset.StandardCharsets.UTF_8);
        String listing = "/ops/dead-letters?partner=shop&event=order-unmappable-bulk&";
        assertThat(hub().get(listing + "error=" + piece, "X-API-Key", Keys.OPS).json().path("items")).hasSize(3);
        assertThat(hub().get(listing + "error=%25_%25", "X-API-Key", Keys.OPS).json().path("items")).isEmpty();
        assertThat(hub().get(listing + "deadAfter=2000-01-01T00:00:00Z", "X-API-Key", Keys.OPS).json().path("items")).hasSize(3);
        assertThat(hub().get(listing + "deadBefore=2000-01-01T00:00:00Z", "X-API-Key", Keys.OPS).json().path("items")).isEmpty();

        String filter = "{\"partner\":\"shop\",\"event\":\"order-unmappable-bulk\",\"dryRun\":true}";
        JsonNode dry = hub().postJson("/ops/dead-letters/replay", filter, "X-API-Key", Keys.OPS).json();
        assertThat(dry.path("matched").asInt()).isEqualTo(3);
        assertThat(dry.path("replayed").asInt()).isZero();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM message WHERE event = 'order-unmappable-bulk' AND status = 'dead'", Long.class)).isEqualTo(3);

        JsonNode real = hub().postJson("/ops/dead-letters/replay", filter.replace("true", "false"), "X-API-Key", Keys.OPS).json();
        assertThat(real.path("matched").asInt()).isEqualTo(3);
        assertThat(real.path("replayed").asInt()).isEqualTo(3);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM ops_audit WHERE action = 'replay' AND reason = 'bulk replay' AND receipt_id IN (?, ?, ?)",
                Long.class, dead.toArray())).isEqualTo(3);
    }

    @Test
    void discardNeedsAReasonAndIsAudited() {
        String receipt = accept("shop", Keys.SHOP, "order-unmappable", "{}");
        awaitStatus("shop", Keys.SHOP, receipt, "dead", Duration.ofSeconds(20));

        HubClient.Res noReason = hub().postJson("/ops/dead-letters/" + receipt + "/discard", "{}", "X-API-Key", Keys.OPS);
        assertThat(noReason.status()).isEqualTo(422);
        assertThat(noReason.json().path("errors").get(0).path("pointer").asText()).isEqualTo("/reason");
        assertThat(hub().post("/ops/dead-letters/" + receipt + "/discard", null, new byte[0], "X-API-Key", Keys.OPS).status()).isEqualTo(422);

        HubClient.Res ok = hub().postJson("/ops/dead-letters/" + receipt + "/discard", "{\"reason\":\"duplicate order\"}", "X-API-Key", Keys.OPS);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(hub().get("/webhooks/shop/receipts/" + receipt, "X-API-Key", Keys.SHOP).json().path("status").asText()).isEqualTo("discarded");
        assertThat(hub().postJson("/ops/dead-letters/" + receipt + "/discard", "{\"reason\":\"again\"}", "X-API-Key", Keys.OPS).status()).isEqualTo(409);
        JsonNode audit = hub().get("/ops/audit?receiptId=" + receipt, "X-API-Key", Keys.OPS).json();
        assertThat(audit).hasSize(1);
        assertThat(audit.get(0).path("action").asText()).isEqualTo("discard");
        assertThat(audit.get(0).path("reason").asText()).isEqualTo("duplicate order");
        assertThat(audit.get(0).path("at").asText()).isNotBlank();
    }

    @Test
    void opsDeadLetterEndpointsRefuseBadInputAndPartnerKeys() {
        assertThat(hub().get("/ops/dead-letters", "X-API-Key", Keys.SHOP).status()).isEqualTo(403);
        assertThat(hub().get("/ops/dead-letters").status()).isEqualTo(401);
        assertThat(hub().get("/ops/dead-letters?limit=0", "X-API-Key", Keys.OPS).status()).isEqualTo(400);
        assertThat(hub().get("/ops/dead-letters?limit=abc", "X-API-Key", Keys.OPS).status()).isEqualTo(400);
        assertThat(hub().get("/ops/dead-letters?cursor=%21%21", "X-API-Key", Keys.OPS).status()).isEqualTo(400);
        assertThat(hub().get("/ops/dead-letters/nope", "X-API-Key", Keys.OPS).status()).isEqualTo(404);
        assertThat(hub().post("/ops/dead-letters/nope/replay", null, new byte[0], "X-API-Key", Keys.OPS).status()).isEqualTo(404);
        assertThat(hub().postJson("/ops/dead-letters/replay", "{not json", "X-API-Key", Keys.OPS).status()).isEqualTo(400);
        TARGET.stubFor(post(urlPathEqualTo("/fast")).willReturn(aResponse().withStatus(200)));
        String delivered = accept("fast", Keys.FAST, "order-created", "{}");
        awaitStatus("fast", Keys.FAST, delivered, "delivered", Duration.ofSeconds(20));
        assertThat(hub().post("/ops/dead-letters/" + delivered + "/replay", null, new byte[0], "X-API-Key", Keys.OPS).status()).isEqualTo(409);
        assertThat(hub().get("/actuator/prometheus", "X-API-Key", Keys.OPS).body()).contains("junction_messages_delivered_total");
    }

    @Test
    void aHangingPartnerTargetDoesNotDelayAnotherPartner() {
        TARGET.stubFor(post(urlPathEqualTo("/hang")).willReturn(aResponse().withStatus(200).withFixedDelay(3000)));
        TARGET.stubFor(post(urlPathEqualTo("/fast")).willReturn(aResponse().withStatus(200)));
        List<String> slow = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            slow.add(accept("patient", Keys.PATIENT, "order-hangs", "{\"n\":" + i + "}"));
        }
        List<String> fast = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            fast.add(accept("fast", Keys.FAST, "order-created", "{\"n\":" + i + "}"));
        }
        for (String id : fast) {
            awaitStatus("fast", Keys.FAST, id, "delivered", Duration.ofSeconds(20));
        }
        // Two lanes and a 3 s target: while fast's ten went through, most of patient's are still waiting their turn.
        long slowDone = jdbc.queryForObject("SELECT COUNT(*) FROM message WHERE partner = 'patient' AND event = 'order-hangs' AND status = 'delivered'", Long.class);
        assertThat(slowDone).isLessThanOrEqualTo(4);
    }
}
