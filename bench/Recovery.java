import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One scenario of bench/recovery.sh: a controllable HTTP target (the stub) and the partner that posts to the hub, in
 * one JVM on one clock.
 *
 * <pre>
 *   java bench/Recovery.java --mode recovery --hub http://127.0.0.1:8080 --ops-key K --api-key K --partner p \
 *        --stub-port 9090 --n 2000 --bytes 1024 --outage 20 --deadline 600
 * </pre>
 *
 * The stub answers every path on 127.0.0.1:{@code --stub-port} in one of three behaviours: {@code healthy} (200),
 * {@code down} (503 to everything), {@code half} (a message's first call 503, every later one 200; a message is its
 * {@code Idempotency-Key}, the receipt id). Modes:
 * <ul>
 *   <li>{@code healthy}: N posts to a healthy stub; seconds from the first post until the hub counts N delivered.</li>
 *   <li>{@code recovery}: the stub is down while N are posted and for {@code --outage} seconds after the last 202;
 *       then it turns healthy; seconds from that return until N are delivered.</li>
 *   <li>{@code half}: N posts to a half-failing stub; seconds from the first post until N are delivered.</li>
 * </ul>
 * "Delivered" is the hub's own count ({@code GET /ops/partners}), polled every 200 ms until {@code --deadline} seconds
 * after the clock starts. Afterwards every receipt is read for its attempts: the stub's calls against the hub's
 * attempts shows retries hidden inside one attempt. The last line on stdout is {@code RECOVERY_RESULT key=value ...}.
 * JDK only.
 */
public class Recovery {

    static final Pattern RECEIPT = Pattern.compile("\"receiptId\"\\s*:\\s*\"([^\"]+)\"");
    static final Pattern ATTEMPTS = Pattern.compile("\"attempts\"\\s*:\\s*(\\d+)");

    /** What the stub does with a call: healthy, down or half. */
    static volatile String behaviour = "healthy";
    static final Map<String, AtomicInteger> callsByKey = new ConcurrentHashMap<>();
    static final AtomicLong calls = new AtomicLong();
    static final AtomicLong refused = new AtomicLong();

    public static void main(String[] argv) throws Exception {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        Map<String, String> o = parse(argv);
        String mode = o.getOrDefault("mode", "");
        if (!List.of("healthy", "recovery", "half").contains(mode)) {
            System.err.println("--mode must be healthy, recovery or half");
            System.exit(64);
        }
        HttpServer stub = startStub(Integer.parseInt(o.get("stub-port")));
        try {
            System.exit(run(mode, o));
        } finally {
            stub.stop(0);
        }
    }

    static int run(String mode, Map<String, String> o) throws Exception {
        String hub = o.get("hub");
        String partner = o.get("partner");
        int n = Integer.parseInt(o.getOrDefault("n", "2000"));
        int bytes = Integer.parseInt(o.getOrDefault("bytes", "1024"));
        int outage = Integer.parseInt(o.getOrDefault("outage", "20"));
        long deadlineSeconds = Long.parseLong(o.getOrDefault("deadline", "600"));
        int concurrency = Integer.parseInt(o.getOrDefault("concurrency", "16"));
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        behaviour = switch (mode) {
            case "recovery" -> "down";
            case "half" -> "half";
            default -> "healthy";
        };
        long t0 = System.nanoTime();
        List<String> receipts = post(client, hub, partner, o.get("api-key"), n, bytes, concurrency);
        double postSeconds = seconds(System.nanoTime() - t0);
        if (receipts.size() < n) {
            System.err.printf("only %d of %d posts were accepted%n", receipts.size(), n);
        }
        long clock = t0;
        long deliveredAtReturn = -1;
        if (mode.equals("recovery")) {
            // The outage itself: the stub stays down for a fixed time after the last 202, then comes back.
            Thread.sleep(TimeUnit.SECONDS.toMillis(outage));
            deliveredAtReturn = delivered(client, hub, o.get("ops-key"), partner);
            behaviour = "healthy";
            clock = System.nanoTime();
        }
        long deadline = clock + TimeUnit.SECONDS.toNanos(deadlineSeconds);
        long delivered = delivered(client, hub, o.get("ops-key"), partner);
        while (delivered < receipts.size() && System.nanoTime() < deadline) {
            Thread.sleep(200);
            delivered = delivered(client, hub, o.get("ops-key"), partner);
        }
        boolean drained = delivered >= receipts.size();
        double elapsed = seconds(System.nanoTime() - clock);
        long callsAtEnd = calls.get();
        int[] attempts = attempts(client, hub, partner, o.get("api-key"), receipts, concurrency);
        System.out.printf("RECOVERY_RESULT mode=%s n=%d accepted=%d drained=%d delivered=%d seconds=%s waited=%.1f post_seconds=%.2f"
                        + " delivered_at_return=%d calls=%d refused=%d keys=%d max_calls_per_key=%d attempts=%d max_attempts=%d"
                        + " unread_receipts=%d%n",
                mode, n, receipts.size(), drained ? 1 : 0, delivered, drained ? String.format("%.2f", elapsed) : "-", elapsed, postSeconds,
                deliveredAtReturn, callsAtEnd, refused.get(), callsByKey.size(),
                callsByKey.values().stream().mapToInt(AtomicInteger::get).max().orElse(0), attempts[0], attempts[1], attempts[2]);
        return 0;
    }

    // -----------------------------------------------------------------------------------------------------------
    // The stub
    // -----------------------------------------------------------------------------------------------------------

    static HttpServer startStub(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        AtomicInteger n = new AtomicInteger();
        // More threads than the hub's lane has slots: the stub must never be what limits delivery.
        server.setExecutor(Executors.newFixedThreadPool(64, r -> {
            Thread t = new Thread(r, "stub-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", Recovery::answer);
        server.start();
        return server;
    }

    static void answer(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            in.readAllBytes();
            calls.incrementAndGet();
            String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
            int callOfKey = callsByKey.computeIfAbsent(key == null ? "" : key, k -> new AtomicInteger()).incrementAndGet();
            boolean fail = switch (behaviour) {
                case "down" -> true;
                case "half" -> callOfKey == 1;
                default -> false;
            };
            if (fail) {
                refused.incrementAndGet();
            }
            exchange.sendResponseHeaders(fail ? 503 : 200, -1);
        }
    }

    // -----------------------------------------------------------------------------------------------------------
    // The partner and the ops view
    // -----------------------------------------------------------------------------------------------------------

    /** Posts n messages with `concurrency` senders; returns the receipt ids of the 202s. */
    static List<String> post(HttpClient client, String hub, String partner, String key, int n, int bytes, int concurrency)
            throws Exception {
        String run = Long.toString(System.currentTimeMillis(), 36);
        Queue<String> receipts = new ConcurrentLinkedQueue<>();
        AtomicInteger next = new AtomicInteger();
        ExecutorService senders = Executors.newFixedThreadPool(concurrency);
        List<Future<?>> done = new ArrayList<>();
        for (int s = 0; s < concurrency; s++) {
            done.add(senders.submit(() -> {
                for (int i; (i = next.getAndIncrement()) < n; ) {
                    HttpRequest request = HttpRequest.newBuilder(URI.create(hub + "/webhooks/" + partner + "/order-created"))
                            .timeout(Duration.ofSeconds(30))
                            .header("X-API-Key", key).header("Content-Type", "application/json")
                            .header("Idempotency-Key", run + "-" + i)
                            .POST(HttpRequest.BodyPublishers.ofString(body(run + "-" + i, bytes))).build();
                    HttpResponse<String> res = client.send(request, HttpResponse.BodyHandlers.ofString());
                    Matcher m = RECEIPT.matcher(res.body());
                    if (res.statusCode() == 202 && m.find()) {
                        receipts.add(m.group(1));
                    } else {
                        System.err.printf("post %d: %d %s%n", i, res.statusCode(), res.body());
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(10, TimeUnit.MINUTES);
        }
        senders.shutdown();
        return new ArrayList<>(receipts);
    }

    /** A JSON object of about `bytes` bytes. */
    static String body(String id, int bytes) {
        String head = "{\"orderId\":\"" + id + "\",\"currency\":\"EUR\",\"note\":\"";
        return head + "x".repeat(Math.max(0, bytes - head.length() - 2)) + "\"}";
    }

    /** The partner's delivered count, from the hub's own database (GET /ops/partners). */
    static long delivered(HttpClient client, String hub, String opsKey, String partner) throws Exception {
        HttpResponse<String> res = client.send(HttpRequest.newBuilder(URI.create(hub + "/ops/partners"))
                .timeout(Duration.ofSeconds(30)).header("X-API-Key", opsKey).build(), HttpResponse.BodyHandlers.ofString());
        int at = res.body().indexOf("\"partner\":\"" + partner + "\"");
        if (res.statusCode() != 200 || at < 0) {
            throw new IllegalStateException("GET /ops/partners: " + res.statusCode() + " without " + partner);
        }
        int end = res.body().indexOf("\"partner\":\"", at + 1);
        String mine = res.body().substring(at, end < 0 ? res.body().length() : end);
        Matcher m = Pattern.compile("\"delivered\"\\s*:\\s*(\\d+)").matcher(mine);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /** Total attempts, the most attempts of one message, and how many receipts could not be read. */
    static int[] attempts(HttpClient client, String hub, String partner, String key, List<String> receipts, int concurrency)
            throws Exception {
        AtomicInteger total = new AtomicInteger();
        AtomicInteger max = new AtomicInteger();
        AtomicInteger unread = new AtomicInteger();
        ExecutorService readers = Executors.newFixedThreadPool(concurrency);
        List<Future<?>> done = new ArrayList<>();
        for (String id : receipts) {
            done.add(readers.submit(() -> {
                HttpResponse<String> res = client.send(HttpRequest.newBuilder(URI.create(hub + "/webhooks/" + partner + "/receipts/" + id))
                        .timeout(Duration.ofSeconds(30)).header("X-API-Key", key).build(), HttpResponse.BodyHandlers.ofString());
                Matcher m = ATTEMPTS.matcher(res.body());
                if (res.statusCode() != 200 || !m.find()) {
                    unread.incrementAndGet();
                    return null;
                }
                int a = Integer.parseInt(m.group(1));
                total.addAndGet(a);
                max.accumulateAndGet(a, Math::max);
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(5, TimeUnit.MINUTES);
        }
        readers.shutdown();
        return new int[] {total.get(), max.get(), unread.get()};
    }

    static double seconds(long nanos) {
        return nanos / 1e9;
    }

    static Map<String, String> parse(String[] argv) {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            if (!argv[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got " + argv[i]);
            }
            o.put(argv[i].substring(2), argv[i + 1]);
        }
        return o;
    }
}
