package dev.junction.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.JunctionProperties;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * The sandbox ERP agent's client side (off unless {@code junction.sandbox.agent.enabled}): once the hub is ready it
 * registers with the hub itself over HTTP, pushes its {@link DemoCatalog} through the batch endpoints, heartbeats, and
 * books the orders {@link SandboxAgentController} accepts, calling the hub back with the outcome (ERP-AGENTS.md).
 *
 * <p>It talks to the hub exactly as an on-prem agent would (real HTTP, its agent token), so the demo exercises the
 * same authentication, rate limit and pipeline. Everything runs on two daemon threads of its own.
 */
@Component
class SandboxAgent implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(SandboxAgent.class);

    /** Callback attempts for 5xx and refused connections, with doubling delays from this first one. */
    static final int CALLBACK_ATTEMPTS = 5;
    static final Duration CALLBACK_FIRST_RETRY = Duration.ofMillis(500);
    /** Orders held in memory; the oldest finished ones are forgotten past this (the orders endpoint is public). */
    static final int MAX_ORDERS = 10_000;

    enum State { PENDING, COMPLETED, FAILED, RETRYABLE_FAILED }

    /** One order, by its Idempotency-Key (the hub's receipt id). */
    static final class Order {
        final String receiptId;
        final String mode;
        State state = State.PENDING;
        String erpReference;
        String erpDocumentId;
        int bookings;

        Order(String receiptId, String mode) {
            this.receiptId = receiptId;
            this.mode = mode;
        }
    }

    private final JunctionProperties.SandboxAgent settings;
    private final ObjectMapper json;
    private final Environment environment;
    private final DemoCatalog catalog = DemoCatalog.demo();
    private final Map<String, Order> orders = new LinkedHashMap<>();
    private final AtomicInteger references = new AtomicInteger();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private volatile ScheduledExecutorService threads;
    private volatile String hubUrl;
    private volatile boolean registered;
    private volatile boolean catalogAccepted;
    /** The last push's outcome, so that a push repeated with every heartbeat logs a warning only when it changes. */
    private volatile String lastPush = "";

    SandboxAgent(JunctionProperties properties, ObjectMapper json, Environment environment) {
        this.settings = properties.sandbox().agent();
        this.json = json;
        this.environment = environment;
    }

    /** Whether it runs: enabled, with a token, and the web server is up. Its endpoints answer 404 otherwise. */
    boolean running() {
        return threads != null;
    }

    String vendor() {
        return settings.vendor();
    }

    DemoCatalog catalog() {
        return catalog;
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        if (!settings.enabled()) {
            return;
        }
        if (settings.token() == null || settings.token().isBlank()) {
            log.error("Sandbox agent not started: junction.sandbox.agent.enabled is true but no agent token is set; set "
                    + "JUNCTION_SANDBOX_AGENT_TOKEN (junction.sandbox.agent.token) to an agent token of vendor '{}' "
                    + "(the demo vendor's is in README.md)", settings.vendor());
            return;
        }
        String port = environment.getProperty("local.server.port");
        if (port == null) {
            log.error("Sandbox agent not started: the hub has no web server port to reach itself on");
            return;
        }
        hubUrl = "http://localhost:" + port;
        if (settings.secret() == null || settings.secret().isBlank()) {
            log.warn("Sandbox agent: junction.sandbox.agent.secret is not set, so its orders endpoint accepts any Bearer "
                    + "(set it to vendor '{}''s agent.orders.secret to check the hub's)", settings.vendor());
        }
        ScheduledExecutorService pool = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "sandbox-agent");
            t.setDaemon(true);
            return t;
        });
        threads = pool;
        log.info("Sandbox agent for vendor '{}' starting: agentUrl {}, heartbeat every {}, booking delay {}", settings.vendor(),
                agentUrl(), settings.heartbeatEvery(), settings.bookingDelay());
        long every = Math.max(1, settings.heartbeatEvery().toMillis());
        pool.scheduleWithFixedDelay(this::beat, 0, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public void destroy() {
        ScheduledExecutorService pool = threads;
        threads = null;
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    String agentUrl() {
        return hubUrl + "/sandbox/agent/" + settings.vendor();
    }

    /** Register until the hub takes it, then heartbeat; push the catalog until no record of it is rejected. */
    private void beat() {
        try {
            if (!registered) {
                ObjectNode body = json.createObjectNode().put("agentUrl", agentUrl()).put("erpType", "sandbox").put("version", "sandbox-1");
                HttpResponse<String> r = post(hubUrl, "/register", body);
                if (r.statusCode() != 200) {
                    log.warn("Sandbox agent: register answered {} {}", r.statusCode(), abbreviate(r.body()));
                    return;
                }
                registered = true;
                log.info("Sandbox agent registered with the hub as vendor '{}'", settings.vendor());
            } else {
                HttpResponse<String> r = post(hubUrl, "/heartbeat", json.createObjectNode().put("pendingOrders", pendingOrders()));
                if (r.statusCode() != 200) {
                    log.warn("Sandbox agent: heartbeat answered {} {}", r.statusCode(), abbreviate(r.body()));
                }
            }
            if (!catalogAccepted) {
                pushCatalog();
            }
        } catch (IOException e) {
            log.warn("Sandbox agent: the hub is unreachable at {}: {}", hubUrl, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("Sandbox agent: heartbeat round failed", e);
        }
    }

    /** Warehouses, items, then stock (stock needs both); counts logged, never a failure. */
    private void pushCatalog() throws IOException, InterruptedException {
        int rejected = 0;
        StringBuilder summary = new StringBuilder();
        String firstRejection = null;
        for (DemoCatalog.Kind kind : new DemoCatalog.Kind[] {DemoCatalog.Kind.WAREHOUSES, DemoCatalog.Kind.ITEMS, DemoCatalog.Kind.STOCK}) {
            ObjectNode body = json.createObjectNode();
            body.putArray(kind.path()).addAll(catalog.all(kind));
            HttpResponse<String> r = post(hubUrl, "/" + kind.path() + "/batch", body);
            if (r.statusCode() != 200) {
                log.warn("Sandbox agent: {} batch answered {} {}", kind.path(), r.statusCode(), abbreviate(r.body()));
                return;
            }
            JsonNode answer = json.readTree(r.body());
            JsonNode counts = answer.path("counts");
            rejected += counts.path("rejected").asInt();
            summary.append(summary.isEmpty() ? "" : "; ").append(kind.path()).append(' ').append(counts);
            for (JsonNode result : answer.path("results")) {
                if (firstRejection == null && "rejected".equals(result.path("status").asText())) {
                    firstRejection = result.path("key").asText() + " " + result.path("errors");
                }
            }
        }
        catalogAccepted = rejected == 0;
        if (catalogAccepted) {
            log.info("Sandbox agent pushed its demo catalog: {}", summary);
        } else if (!String.valueOf(firstRejection).equals(lastPush)) {
            log.warn("Sandbox agent pushed its demo catalog, {} record(s) rejected (first: {}); import the vendor's ERP code "
                    + "mappings (README, POST /ops/erp/mappings/import): it pushes again with each heartbeat until none is: {}",
                    rejected, firstRejection, summary);
        } else {
            log.debug("Sandbox agent pushed its demo catalog again, {} record(s) still rejected: {}", rejected, summary);
        }
        lastPush = String.valueOf(firstRejection);
    }

    int pendingOrders() {
        synchronized (orders) {
            return (int) orders.values().stream().filter(o -> o.state == State.PENDING).count();
        }
    }

    /**
     * An order the hub sent: a new receipt id is booked after the booking delay; a known one is booked once (a repeat
     * while booking does nothing, a repeat after booking sends the same callback again), except after a retryable
     * failure, when the hub's retry is booked again.
     */
    void accept(String receiptId, JsonNode payload) {
        String mode = payload.path("sandbox").asText("");
        Order order;
        boolean book;
        boolean resend;
        synchronized (orders) {
            order = orders.get(receiptId);
            if (order == null) {
                order = new Order(receiptId, mode);
                orders.put(receiptId, order);
                forgetOldest();
                book = true;
            } else if (order.state == State.RETRYABLE_FAILED) {
                order.state = State.PENDING;
                book = true;
            } else {
                book = false;
            }
            resend = !book && order.state != State.PENDING;
        }
        ScheduledExecutorService pool = threads;
        if (pool == null) {
            return;
        }
        Order o = order;
        if (book) {
            pool.schedule(() -> book(o), settings.bookingDelay().toMillis(), TimeUnit.MILLISECONDS);
        } else if (resend) {
            pool.execute(() -> callback(o, 1));
        }
    }

    private void forgetOldest() {
        if (orders.size() <= MAX_ORDERS) {
            return;
        }
        Iterator<Order> it = orders.values().iterator();
        while (orders.size() > MAX_ORDERS && it.hasNext()) {
            if (it.next().state != State.PENDING) {
                it.remove();
            }
        }
    }

    private void book(Order order) {
        synchronized (orders) {
            order.bookings++;
            if ("fail".equals(order.mode)) {
                order.state = State.FAILED;
            } else if ("retry".equals(order.mode) && order.bookings == 1) {
                order.state = State.RETRYABLE_FAILED;
            } else {
                int n = references.incrementAndGet();
                order.state = State.COMPLETED;
                order.erpReference = String.format("SBX-%06d", n);
                order.erpDocumentId = String.format("SBXDOC-%06d", n);
            }
        }
        log.info("Sandbox agent booked order {}: {}{}", order.receiptId, order.state.name().toLowerCase(Locale.ROOT),
                order.erpReference == null ? "" : " " + order.erpReference);
        callback(order, 1);
    }

    ObjectNode callbackBody(Order order) {
        ObjectNode body = json.createObjectNode().put("receiptId", order.receiptId);
        synchronized (orders) {
            switch (order.state) {
                case COMPLETED -> body.put("status", "completed").put("erpReference", order.erpReference)
                        .put("erpDocumentId", order.erpDocumentId);
                case FAILED -> body.put("status", "failed").putObject("error").put("code", "SBX-REFUSED")
                        .put("message", "The sandbox ERP refused the order (payload has \"sandbox\":\"fail\")").put("retryable", false);
                default -> body.put("status", "failed").putObject("error").put("code", "SBX-BUSY")
                        .put("message", "The sandbox ERP was busy (payload has \"sandbox\":\"retry\"); the next try books it")
                        .put("retryable", true);
            }
        }
        return body;
    }

    /** POST the outcome to the hub; 5xx and connection errors are tried again with doubling delays, a bounded number of times. */
    private void callback(Order order, int attempt) {
        ObjectNode body = callbackBody(order);
        String base = settings.callbackBaseUrl() == null || settings.callbackBaseUrl().isBlank() ? hubUrl : settings.callbackBaseUrl();
        String problem;
        try {
            HttpResponse<String> r = post(base, "/callbacks", body);
            int status = r.statusCode();
            if (status >= 200 && status < 300) {
                log.info("Sandbox agent called back for order {}: {} -> {}", order.receiptId, body.path("status").asText(), status);
                return;
            }
            if (status < 500) {
                log.warn("Sandbox agent: callback for order {} answered {} {}; dropped", order.receiptId, status, abbreviate(r.body()));
                return;
            }
            problem = "HTTP " + status;
        } catch (IOException e) {
            problem = e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        ScheduledExecutorService pool = threads;
        if (attempt >= CALLBACK_ATTEMPTS || pool == null) {
            log.warn("Sandbox agent: callback for order {} failed {} times (last: {}); given up, the hub's callback timeout applies",
                    order.receiptId, attempt, problem);
            return;
        }
        long delay = CALLBACK_FIRST_RETRY.toMillis() << (attempt - 1);
        log.info("Sandbox agent: callback for order {} failed ({}), attempt {}/{}, again in {} ms", order.receiptId, problem, attempt,
                CALLBACK_ATTEMPTS, delay);
        pool.schedule(() -> callback(order, attempt + 1), delay, TimeUnit.MILLISECONDS);
    }

    private HttpResponse<String> post(String base, String path, JsonNode body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/agents/" + settings.vendor() + path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + settings.token())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body), StandardCharsets.UTF_8))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
