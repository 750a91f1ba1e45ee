import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The partner API of bench/sync-pull.sh: N records of ~300 bytes of JSON, held in memory in (updatedAt, id) order, in
 * runs of equal updatedAt values (lengths cycling through RUNS, so runs cross page boundaries, some longer than a page),
 * served page by page the way a partner's paged API does, honouring exactly {@code updated_since}, {@code after_id} and
 * {@code limit}: the records after (updated_since, after_id) in (updatedAt, id) order (an empty after_id takes every
 * record at updated_since; an empty updated_since starts at the first), at most limit, as {@code {"items":[...]}}.
 *
 * <p>One data set, many rounds: {@code GET /r<k>/products} serves round k, which answers an empty page until
 * {@code POST /admin/open?round=k}. Each round is pulled by its own sync job (one partner per round), so every round
 * journals N new messages and the hub's startup run of every job finds nothing. {@code GET /admin/stats?round=k}
 * prints what round k served and how long the server spent on it (from the request's arrival in the handler to the
 * body written), so a run can show the source is not its bottleneck.
 *
 * <pre>java PagedSource.java PORT N THREADS</pre>  (prints "READY port=..." when listening)
 */
public class PagedSource {

    /** Lengths of the runs of equal updatedAt values, cycled: 1 to 1,237 records at one instant. */
    static final int[] RUNS = {1, 3, 17, 499, 500, 501, 2, 1237, 40, 7, 260, 1};
    static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
    static final int RECORD_BYTES = 300;

    static String[] ids;
    static long[] millis;
    static byte[][] json;
    static final Map<Integer, Boolean> OPEN = new ConcurrentHashMap<>();
    static final Map<Integer, long[]> STATS = new ConcurrentHashMap<>();  // requests, records, bytes, nanos, max nanos

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int n = Integer.parseInt(args[1]);
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        build(n);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 128);
        server.createContext("/", PagedSource::handle);
        server.setExecutor(Executors.newFixedThreadPool(threads));
        server.start();
        System.out.println("READY port=" + server.getAddress().getPort() + " records=" + n + " bytes_per_record=" + json[0].length);
        System.out.flush();
    }

    static void build(int n) {
        ids = new String[n];
        millis = new long[n];
        json = new byte[n][];
        int run = 0;
        int left = RUNS[0];
        long at = T0.toEpochMilli();
        for (int i = 0; i < n; i++) {
            if (left == 0) {
                run++;
                left = RUNS[run % RUNS.length];
                at += 1000 + (run % 7) * 13;  // a new instant, some with milliseconds
            }
            left--;
            ids[i] = String.format(Locale.ROOT, "P%08d", i + 1);
            millis[i] = at;
            String head = String.format(Locale.ROOT,
                    "{\"id\":\"%s\",\"updatedAt\":\"%s\",\"sku\":\"SKU-%07d\",\"name\":\"Bench product %d\",\"price\":\"%d.%02d\","
                            + "\"currency\":\"EUR\",\"stock\":%d,\"warehouse\":\"WH-%d\",\"tags\":[\"bench\",\"sync\"],\"description\":\"",
                    ids[i], Instant.ofEpochMilli(at), i + 1, i + 1, 1 + i % 500, i % 100, i % 1000, i % 5);
            String tail = "\"}";
            json[i] = (head + "x".repeat(Math.max(1, RECORD_BYTES - head.length() - tail.length())) + tail)
                    .getBytes(StandardCharsets.UTF_8);
        }
    }

    static void handle(HttpExchange exchange) throws IOException {
        long t0 = System.nanoTime();
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            Map<String, String> q = query(exchange.getRequestURI());
            if (path.equals("/admin/open")) {
                OPEN.put(Integer.parseInt(q.get("round")), true);
                send(exchange, 200, "opened\n".getBytes(StandardCharsets.UTF_8), "text/plain");
            } else if (path.equals("/admin/stats")) {
                long[] s = STATS.getOrDefault(Integer.parseInt(q.get("round")), new long[5]);
                String text = String.format(Locale.ROOT, "requests=%d records=%d bytes=%d serve_ms=%.1f max_page_ms=%.2f mean_page_ms=%.3f%n",
                        s[0], s[1], s[2], s[3] / 1e6, s[4] / 1e6, s[0] == 0 ? 0 : s[3] / 1e6 / s[0]);
                send(exchange, 200, text.getBytes(StandardCharsets.UTF_8), "text/plain");
            } else if (path.matches("/r\\d+/products")) {
                int round = Integer.parseInt(path.substring(2, path.indexOf('/', 1)));
                page(exchange, round, q, t0);
            } else {
                send(exchange, 404, "{\"error\":\"no such path\"}".getBytes(StandardCharsets.UTF_8), "application/json");
            }
        } catch (RuntimeException e) {
            // A request we cannot read is the hub's bug or ours: say so loudly and answer 400 (the run then fails).
            System.err.println("PagedSource: " + exchange.getRequestURI() + ": " + e);
            try {
                send(exchange, 400, ("{\"error\":\"" + e.getClass().getSimpleName() + "\"}").getBytes(StandardCharsets.UTF_8),
                        "application/json");
            } catch (IOException | RuntimeException alreadyAnswered) {
                // the headers went out before the failure: the hub sees a broken page
            }
        }
    }

    static void page(HttpExchange exchange, int round, Map<String, String> q, long t0) throws IOException {
        String since = q.getOrDefault("updated_since", "");
        String afterId = q.getOrDefault("after_id", "");
        int limit = Integer.parseInt(q.getOrDefault("limit", "100"));
        int from = OPEN.containsKey(round) ? first(since, afterId) : ids.length;
        int to = Math.min(ids.length, from + limit);
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 + (to - from) * (RECORD_BYTES + 1));
        out.writeBytes("{\"items\":[".getBytes(StandardCharsets.UTF_8));
        for (int i = from; i < to; i++) {
            if (i > from) {
                out.write(',');
            }
            out.writeBytes(json[i]);
        }
        out.writeBytes("]}".getBytes(StandardCharsets.UTF_8));
        byte[] body = out.toByteArray();
        send(exchange, 200, body, "application/json");
        long took = System.nanoTime() - t0;
        long[] s = STATS.computeIfAbsent(round, k -> new long[5]);
        synchronized (s) {
            s[0]++;
            s[1] += to - from;
            s[2] += body.length;
            s[3] += took;
            s[4] = Math.max(s[4], took);
        }
    }

    /** The index of the first record after (since, afterId) in (updatedAt, id) order: a binary search. */
    static int first(String since, String afterId) {
        if (since.isEmpty()) {
            return 0;
        }
        long at = OffsetDateTime.parse(since).toInstant().toEpochMilli();
        int lo = 0;
        int hi = ids.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            int c = Long.compare(millis[mid], at);
            if (c == 0) {
                c = ids[mid].compareTo(afterId);  // every id is greater than the empty after_id
            }
            if (c > 0) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    static void send(HttpExchange exchange, int status, byte[] body, String type) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(body);
        }
    }

    static Map<String, String> query(URI uri) {
        Map<String, String> q = new HashMap<>();
        String raw = uri.getRawQuery();
        if (raw == null) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            q.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return q;
    }
}
