import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.erdtman.jcs.JsonCanonicalizer;

/**
 * The ERP agent benchmark's client and agent (bench/erp-agent.sh runs it against ONE running hub). It plays the vendor's
 * agent over real HTTP (a JDK {@code HttpServer} on 127.0.0.1): registers, heartbeats, serves the reconcile protocol of
 * ../shared/ERP-AGENTS.md over its own copy of the records (written from the contract like the tests' FakeAgent: keys in
 * UTF-8 byte order, content hash = SHA-256 of the RFC 8785 canonical JSON without {@code updatedAt}, by the same
 * reference library), books orders ({@code 202} at once) and calls back {@code completed} after a delay.
 *
 * <p>Parts (each checks its answers and stops the program with exit code 1 otherwise: a figure of a run that did not do
 * its work is never printed):
 * <ul>
 *   <li>{@code reconcile}: seeds the hub's mirror with ITEMS items through {@code POST /agents/{vendor}/items/batch}
 *       (batches of 1,000, every record {@code created}); the agent holds the same records, byte for byte. A warm-up
 *       reconcile without drift must fetch nothing (it proves the hashes agree). Then ROUNDS rounds, each with two
 *       measures in alternating order, each after a fresh drift of DRIFT items changed at the agent (label and a newer
 *       {@code updatedAt}): {@code reconcile} = {@code POST /ops/erp/{vendor}/reconcile}, polled until the run's three
 *       rows are finished (must say items drifted = repaired = DRIFT, nothing deleted, no error; the drifted records'
 *       hashes at the hub must then be the agent's); {@code full} = every page of the agent's {@code records} endpoint
 *       (limit 1,000) pushed through the batch endpoint (must count DRIFT updated and the rest unchanged).</li>
 *   <li>{@code orders}: ORDERS webhooks {@code POST /webhooks/{shop}/order-placed} (4 client threads); the route ends
 *       in {@code agent:{vendor}/orders}; the agent answers 202 and calls back {@code completed} DELAY ms after receiving
 *       each order; measured from the first post until {@code /ops/partners} counts every order of the shop
 *       {@code delivered}. A warm-up of WARMUP_ORDERS orders goes first.</li>
 * </ul>
 *
 * <p>Output, for scripts: {@code SEED records= seconds=}, {@code RECONCILE round= measure=reconcile|full seconds=
 * requests= fetched= ...}, {@code ORDERS orders= seconds= ...}.
 */
public class AgentBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] VAT = {"6", "7", "5", "13", "8", "17", "20", "2", "18", "22", "11", "3", "21", "12", "19", "1",
        "15", "4", "10", "14", "9", "16"};
    private static final String[][] FAMILIES = {
        {"EPI", "EPI01", "EPI02", "EPI03", "EPI04", "EPI05", "EPI06"},
        {"BOI", "BOI01", "BOI02", "BOI03", "BOI04", "BOI05", "BOI06", "BOI07", "BOI08"},
        {"FL", "FL01", "FL02", "FL03"},
        {"HYG", "HYG01", "HYG02", "HYG03", "HYG04"},
        {"FRA", "FRA01", "FRA02", "FRA03", "FRA04", "FRA05"},
        {"SUR", "SUR01", "SUR02", "SUR03", "SUR04"},
        {"BOU", "BOU01", "BOU02", "BOU03", "BOU04", "BOU05"},
    };
    private static final String[] WORDS = {"Filet de poulet fermier", "Creme fraiche epaisse", "Huile d'olive vierge",
        "Tomates grappe bio", "Emmental rape francais", "Saumon fume tranche", "Biere blonde artisanale", "Farine de ble T55"};

    /** A record as the agent holds it: the exact JSON the hub received, and its content hash. */
    record Held(String json, String hash) {}

    // ---- settings
    static String hub;
    static String vendor;
    static String token;
    static String opsKey;
    static String secret;
    static String shop;
    static String shopKey;

    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    // ---- the agent's state
    /** The agent's items, ordered by key; erpIds are ASCII here, so String order is UTF-8 byte order. */
    static final NavigableMap<String, Held> ITEMS = java.util.Collections.synchronizedNavigableMap(new TreeMap<>());
    static final AtomicInteger reconcileRequests = new AtomicInteger();
    static final AtomicInteger recordsServed = new AtomicInteger();
    /** Time the agent spent answering reconcile requests (checksums and pages, response written), summed. */
    static final AtomicLong agentNanos = new AtomicLong();
    static final AtomicInteger badAuth = new AtomicInteger();
    static final AtomicInteger ordersReceived = new AtomicInteger();
    static final AtomicInteger orderRepeats = new AtomicInteger();
    static final AtomicInteger ordersInFlight = new AtomicInteger();
    static final AtomicInteger maxOrdersInFlight = new AtomicInteger();
    static final AtomicInteger callbacksOk = new AtomicInteger();
    static final AtomicInteger callbacksFailed = new AtomicInteger();
    static final AtomicLong lastOrderAt = new AtomicLong();
    static final AtomicLong lastCallbackAt = new AtomicLong();
    static final Set<String> orderKeys = ConcurrentHashMap.newKeySet();
    static volatile long delayMillis = 2000;
    static ScheduledExecutorService callbacks;

    public static void main(String[] args) throws Exception {
        // The JDK HttpServer leaves Nagle's algorithm on unless told: its headers and body go out as two writes, and the
        // second waits for the hub's delayed ACK (~40 ms a request on Linux). Agents' usual servers (Kestrel, Go, Node,
        // Jetty, Tomcat) set TCP_NODELAY; so does this one, unless -Dsun.net.httpserver.nodelay=false (to show the effect).
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        hub = o.get("hub");
        vendor = o.getOrDefault("vendor", "bench-erp");
        token = o.get("token");
        opsKey = o.get("ops-key");
        secret = o.get("secret");
        shop = o.getOrDefault("shop", "bench-shop");
        shopKey = o.get("shop-key");
        int items = Integer.parseInt(o.getOrDefault("items", "100000"));
        int drift = Integer.parseInt(o.getOrDefault("drift", "10"));
        int rounds = Integer.parseInt(o.getOrDefault("rounds", "3"));
        int page = Integer.parseInt(o.getOrDefault("page", "1000"));
        int orders = Integer.parseInt(o.getOrDefault("orders", "1000"));
        int warmupOrders = Integer.parseInt(o.getOrDefault("warmup-orders", "100"));
        delayMillis = Long.parseLong(o.getOrDefault("delay-ms", "2000"));
        double ordersDeadline = Double.parseDouble(o.getOrDefault("orders-deadline-s", "600"));
        String parts = o.getOrDefault("parts", "reconcile,orders");
        String runId = o.getOrDefault("run-id", Long.toString(System.currentTimeMillis() % 100000, 36));

        ExecutorService threads = Executors.newFixedThreadPool(16);
        callbacks = Executors.newScheduledThreadPool(8);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        server.setExecutor(threads);
        server.createContext("/", AgentBench::handle);
        server.start();
        String agentUrl = "http://127.0.0.1:" + server.getAddress().getPort();
        agentBase = agentUrl;
        ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor();
        try {
            JsonNode reg = postJson(hub + "/agents/" + vendor + "/register", agentAuth(),
                    "{\"agentUrl\":\"" + agentUrl + "\",\"erpType\":\"bench\",\"version\":\"1.0\"}", 200);
            if (!"online".equals(reg.path("status").asText())) {
                fail("register answered " + reg);
            }
            System.err.println("agent registered at " + agentUrl);
            heartbeat.scheduleAtFixedRate(() -> {
                try {
                    postJson(hub + "/agents/" + vendor + "/heartbeat", agentAuth(), "{\"pendingOrders\":0}", 200);
                } catch (Exception e) {
                    System.err.println("heartbeat failed: " + e);
                }
            }, 30, 30, TimeUnit.SECONDS);

            if (parts.contains("reconcile")) {
                reconcilePart(runId, items, drift, rounds, page);
            }
            if (parts.contains("orders")) {
                ordersPart(runId, orders, warmupOrders, ordersDeadline);
            }
            if (badAuth.get() > 0) {
                fail(badAuth.get() + " calls reached the agent without the vendor's secret as Bearer token");
            }
        } finally {
            heartbeat.shutdownNow();
            callbacks.shutdownNow();
            server.stop(0);
            threads.shutdownNow();
        }
    }

    // =================================================================================================================
    // Reconciliation
    // =================================================================================================================

    static void reconcilePart(String runId, int items, int drift, int rounds, int page) throws Exception {
        // Seed: the hub's mirror and the agent's copy get the same bytes.
        String prefix = "BX" + runId + "-";
        OffsetDateTime base = OffsetDateTime.of(2026, 11, 30, 8, 0, 0, 0, ZoneOffset.ofHours(1));
        List<String> keys = new ArrayList<>(items);
        long t0 = System.nanoTime();
        for (int from = 0; from < items; from += 1000) {
            StringBuilder body = new StringBuilder(1000 * 340).append("{\"items\":[");
            int n = Math.min(1000, items - from);
            for (int k = 0; k < n; k++) {
                int i = from + k;
                String key = prefix + String.format(Locale.ROOT, "%06d", i);
                keys.add(key);
                String json = itemJson(key, i, WORDS[i % WORDS.length] + " " + String.format(Locale.ROOT, "%05d", i % 100000),
                        base.plusSeconds(i).toString());
                ITEMS.put(key, new Held(json, hash(json)));
                body.append(k == 0 ? "" : ",").append(json);
            }
            JsonNode answer = postJson(hub + "/agents/" + vendor + "/items/batch", agentAuth(), body.append("]}").toString(), 200);
            expectCounts(answer, Map.of("created", (long) n), "seed batch at " + from);
        }
        double seedSeconds = secondsSince(t0);
        System.out.printf(Locale.ROOT, "SEED records=%d seconds=%.3f per_s=%.1f%n", items, seedSeconds, items / seedSeconds);
        System.out.flush();

        // Warm-up, and the proof that both sides hash alike: nothing drifted, nothing may be fetched.
        Map<String, Long> w = reconcile(0, Set.of());
        if (w.get("fetched") != 0 || w.get("drifted") != 0) {
            fail("reconcile without drift fetched " + w.get("fetched") + " and found " + w.get("drifted")
                    + " drifted: the agent's hashes are not the hub's");
        }
        System.err.printf(Locale.ROOT, "warm-up reconcile (no drift): %d requests, %.3f s%n", w.get("requests"), w.get("millis") / 1000.0);
        // Warm-up of the full fetch (JIT of the unchanged path), unmeasured.
        Map<String, Long> wf = fullFetch(0, page, Set.of());
        System.err.printf(Locale.ROOT, "warm-up full fetch: %d requests, %.3f s%n", wf.get("requests"), wf.get("millis") / 1000.0);

        Random random = new Random(42);
        for (int r = 1; r <= rounds; r++) {
            boolean reconcileFirst = (r & 1) == 1;
            for (int step = 0; step < 2; step++) {
                boolean doReconcile = (step == 0) == reconcileFirst;
                Set<String> drifted = drift(keys, drift, random, r, doReconcile ? "rc" : "ff");
                Map<String, Long> m = doReconcile ? reconcile(r, drifted) : fullFetch(r, page, drifted);
                StringBuilder line = new StringBuilder("RECONCILE round=" + r + " measure=" + (doReconcile ? "reconcile" : "full"));
                line.append(String.format(Locale.ROOT, " seconds=%.4f", m.get("millis") / 1000.0));
                m.forEach((k, v) -> {
                    if (!k.equals("millis")) {
                        line.append(' ').append(k).append('=').append(v);
                    }
                });
                System.out.println(line);
                System.out.flush();
            }
        }
    }

    static final OffsetDateTime DRIFT_BASE = OffsetDateTime.of(2027, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
    static final AtomicLong driftClock = new AtomicLong();

    /** Changes {@code n} distinct items at the agent (label and a newer updatedAt) and returns their keys. */
    static Set<String> drift(List<String> keys, int n, Random random, int round, String tag) throws Exception {
        Set<String> picked = new LinkedHashSet<>();
        while (picked.size() < n) {
            picked.add(keys.get(random.nextInt(keys.size())));
        }
        // Newer than any seeded updatedAt (those run up to ITEMS seconds past the base), so the full fetch's batch is not stale.
        String now = DRIFT_BASE.plusSeconds(driftClock.incrementAndGet()).toString();
        for (String key : picked) {
            int i = Integer.parseInt(key.substring(key.lastIndexOf('-') + 1));
            String json = itemJson(key, i, WORDS[i % WORDS.length] + " drift " + tag + round + "-" + System.nanoTime() % 100000, now);
            ITEMS.put(key, new Held(json, hash(json)));
        }
        return picked;
    }

    /** One reconcile run, from the POST until its rows say finished; checks it repaired exactly the drifted items. */
    static Map<String, Long> reconcile(int round, Set<String> drifted) throws Exception {
        reconcileRequests.set(0);
        recordsServed.set(0);
        agentNanos.set(0);
        long t0 = System.nanoTime();
        JsonNode started = postJson(hub + "/ops/erp/" + vendor + "/reconcile", opsAuth(), "", 202);
        String run = started.path("runId").asText();
        if (run.isEmpty()) {
            fail("reconcile answered " + started);
        }
        List<JsonNode> rows;
        while (true) {
            rows = new ArrayList<>();
            for (JsonNode row : getJson(hub + "/ops/erp/" + vendor + "/reconciliations?limit=10", opsAuth())) {
                if (run.equals(row.path("runId").asText())) {
                    rows.add(row);
                }
            }
            if (rows.size() == 3 && rows.stream().allMatch(x -> !x.path("finishedAt").isNull() && !x.path("finishedAt").isMissingNode())) {
                break;
            }
            if (secondsSince(t0) > 600) {
                fail("reconcile run " + run + " not finished after 600 s: " + rows);
            }
            Thread.sleep(20);
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        long requests = 0, fetched = 0, ranges = 0;
        Map<String, JsonNode> byKind = new HashMap<>();
        for (JsonNode row : rows) {
            byKind.put(row.path("kind").asText(), row);
            requests += row.path("requests").asLong();
            fetched += row.path("fetched").asLong();
            ranges += row.path("ranges").asLong();
            if (!row.path("error").isNull() && !row.path("error").isMissingNode()) {
                fail("reconcile run " + run + " " + row.path("kind").asText() + ": error " + row.path("error"));
            }
        }
        JsonNode it = byKind.get("items");
        if (it == null || it.path("drifted").asLong() != drifted.size() || it.path("repaired").asLong() != drifted.size()
                || it.path("deleted").asLong() != 0) {
            fail("reconcile run " + run + " (round " + round + "): expected items drifted = repaired = " + drifted.size()
                    + ", deleted 0; the hub recorded " + it);
        }
        for (String kind : List.of("warehouses", "stock")) {
            JsonNode k = byKind.get(kind);
            if (k == null || k.path("drifted").asLong() != 0 || k.path("fetched").asLong() != 0) {
                fail("reconcile run " + run + ": " + kind + " should be empty on both sides: " + k);
            }
        }
        if (reconcileRequests.get() != requests || recordsServed.get() != fetched) {
            fail("reconcile run " + run + ": the hub counted " + requests + " requests and " + fetched + " fetched, the agent saw "
                    + reconcileRequests.get() + " requests and served " + recordsServed.get() + " records");
        }
        checkRepaired(drifted, "reconcile run " + run);
        String startedAt = rows.stream().map(x -> x.path("startedAt").asText()).min(String::compareTo).orElse("");
        String finishedAt = rows.stream().map(x -> x.path("finishedAt").asText()).max(String::compareTo).orElse("");
        long serverMillis = -1;
        try {
            serverMillis = Duration.between(OffsetDateTime.parse(startedAt), OffsetDateTime.parse(finishedAt)).toMillis();
        } catch (Exception e) {
            // not ISO offsets: left out
        }
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        m.put("millis", millis);
        m.put("requests", requests);
        m.put("fetched", fetched);
        m.put("ranges", ranges);
        m.put("drifted", it.path("drifted").asLong());
        m.put("repaired", it.path("repaired").asLong());
        m.put("run_ms", serverMillis);
        m.put("agent_ms", agentNanos.get() / 1_000_000);
        return m;
    }

    /** The naive resync: every page of the agent's records pushed through the batch endpoint, sequentially. */
    static Map<String, Long> fullFetch(int round, int page, Set<String> drifted) throws Exception {
        reconcileRequests.set(0);
        recordsServed.set(0);
        agentNanos.set(0);
        Map<String, Long> totals = new HashMap<>();
        long t0 = System.nanoTime();
        String from = null;
        long pages = 0;
        while (true) {
            String url = agentBase + "/reconcile/items/records?limit=" + page
                    + (from == null ? "" : "&from=" + URLEncoder.encode(from, StandardCharsets.UTF_8));
            JsonNode p = getJson(url, "Bearer " + secret);
            pages++;
            ArrayNode records = (ArrayNode) p.get("records");
            if (records.size() > 0) {
                ObjectNode body = JSON.createObjectNode();
                body.set("items", records);
                JsonNode answer = postJson(hub + "/agents/" + vendor + "/items/batch", agentAuth(), JSON.writeValueAsString(body), 200);
                answer.path("counts").fields().forEachRemaining(e -> totals.merge(e.getKey(), e.getValue().asLong(), Long::sum));
            }
            JsonNode next = p.get("next");
            if (next == null || next.isNull()) {
                break;
            }
            from = next.asText();
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        long total = ITEMS.size();
        if (totals.getOrDefault("updated", 0L) != drifted.size() || totals.getOrDefault("unchanged", 0L) != total - drifted.size()
                || totals.getOrDefault("created", 0L) != 0 || totals.getOrDefault("stale", 0L) != 0
                || totals.getOrDefault("rejected", 0L) != 0) {
            fail("full fetch (round " + round + "): expected " + drifted.size() + " updated and " + (total - drifted.size())
                    + " unchanged, the hub counted " + totals);
        }
        if (recordsServed.get() != total) {
            fail("full fetch: the agent served " + recordsServed.get() + " records, it holds " + total);
        }
        checkRepaired(drifted, "full fetch");
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        m.put("millis", millis);
        m.put("requests", pages);
        m.put("fetched", (long) recordsServed.get());
        m.put("updated", totals.getOrDefault("updated", 0L));
        m.put("unchanged", totals.getOrDefault("unchanged", 0L));
        m.put("agent_ms", agentNanos.get() / 1_000_000);
        return m;
    }

    /** Every drifted record, at the hub, now has the agent's content hash. */
    static void checkRepaired(Set<String> drifted, String what) throws Exception {
        for (String key : drifted) {
            JsonNode rec = getJson(hub + "/ops/erp/" + vendor + "/items/" + URLEncoder.encode(key, StandardCharsets.UTF_8), opsAuth());
            String want = ITEMS.get(key).hash();
            if (!want.equals(rec.path("contentHash").asText()) || rec.path("deleted").asBoolean()) {
                fail(what + ": item " + key + " at the hub has hash " + rec.path("contentHash").asText() + ", the agent's is " + want);
            }
        }
    }

    static String itemJson(String key, int n, String label, String updatedAt) {
        String[] fam = FAMILIES[n % FAMILIES.length];
        BigDecimal excl = BigDecimal.valueOf(50 + (n * 7919L) % 9950, 2);
        BigDecimal incl = excl.multiply(new BigDecimal("1.055")).setScale(2, RoundingMode.HALF_UP);
        String barcode = "3" + String.format(Locale.ROOT, "%012d", (n * 1000003L) % 1_000_000_000_000L);
        return "{\"erpId\":\"" + key + "\",\"sku\":\"SKU-" + key + "\",\"label\":\"" + label + "\",\"unit\":\"KG\",\"vat\":\""
                + VAT[n % VAT.length] + "\",\"family\":\"" + fam[0] + "\",\"subfamily\":\"" + fam[1 + n % (fam.length - 1)]
                + "\",\"priceExclVat\":" + excl.toPlainString() + ",\"priceInclVat\":" + incl.toPlainString()
                + ",\"manageStock\":true,\"allowNegativeStock\":false,\"barcode\":\"" + barcode + "\",\"updatedAt\":\"" + updatedAt + "\"}";
    }

    /** The contract's content hash: SHA-256 hex of the RFC 8785 canonical JSON of the record without updatedAt. */
    static String hash(String json) throws Exception {
        ObjectNode node = (ObjectNode) JSON.readTree(json);
        node.remove("updatedAt");
        String canonical = new JsonCanonicalizer(JSON.writeValueAsString(node)).getEncodedString();
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8)));
    }

    // =================================================================================================================
    // Orders
    // =================================================================================================================

    static void ordersPart(String runId, int orders, int warmupOrders, double deadline) throws Exception {
        long before = deliveredOfShop();
        if (warmupOrders > 0) {
            double w = postOrders(runId + "-w", warmupOrders, before, deadline);
            System.err.printf(Locale.ROOT, "warm-up: %d orders delivered in %.3f s%n", warmupOrders, w);
            before = deliveredOfShop();
        }
        ordersReceived.set(0);
        maxOrdersInFlight.set(0);
        int okBefore = callbacksOk.get();
        long t0 = System.nanoTime();
        double seconds = postOrders(runId, orders, before, deadline);
        double lastOrder = (lastOrderAt.get() - t0) / 1e9;
        double lastCallback = (lastCallbackAt.get() - t0) / 1e9;
        for (int i = 0; i < 200 && callbacksOk.get() - okBefore < orders; i++) {
            Thread.sleep(50);  // the hub counted them delivered; the last answers may still be on their way to the agent
        }
        Map<String, Long> counts = countsOfShop();
        long notDone = counts.entrySet().stream().filter(e -> !e.getKey().equals("delivered")).mapToLong(Map.Entry::getValue).sum();
        if (notDone != 0 || callbacksFailed.get() != 0 || callbacksOk.get() - okBefore < orders) {
            fail("orders: the shop's counts are " + counts + ", " + callbacksFailed.get() + " callbacks refused, "
                    + (callbacksOk.get() - okBefore) + " accepted of " + orders);
        }
        System.out.printf(Locale.ROOT, "ORDERS orders=%d seconds=%.4f delay_ms=%d received=%d repeats=%d last_order_s=%.3f "
                        + "last_callback_s=%.3f max_agent_inflight=%d posted_s=%.3f%n", orders, seconds, delayMillis, ordersReceived.get(),
                orderRepeats.get(), lastOrder, lastCallback, maxOrdersInFlight.get(), postedSeconds);
        System.out.flush();
    }

    static volatile double postedSeconds;

    /** Seconds from the first post until the shop counts {@code before + n} delivered. */
    static double postOrders(String tag, int n, long before, double deadline) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        ExecutorService posters = Executors.newFixedThreadPool(4);
        long t0 = System.nanoTime();
        for (int t = 0; t < 4; t++) {
            posters.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < n) {
                    String body = "{\"orderId\":\"PO-" + tag + "-" + i + "\",\"lines\":[{\"sku\":\"ART-" + (1000 + i % 50) + "\",\"qty\":"
                            + (1 + i % 5) + "}]}";
                    try {
                        HttpResponse<String> res = CLIENT.send(HttpRequest.newBuilder(URI.create(hub + "/webhooks/" + shop + "/order-placed"))
                                .timeout(Duration.ofSeconds(60)).header("X-API-Key", shopKey).header("Content-Type", "application/json")
                                .header("Idempotency-Key", "po-" + tag + "-" + i)
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                        if (res.statusCode() / 100 != 2) {
                            refused.incrementAndGet();
                            System.err.println("order " + i + " answered " + res.statusCode() + ": " + res.body());
                        }
                    } catch (Exception e) {
                        refused.incrementAndGet();
                        System.err.println("order " + i + ": " + e);
                    }
                }
                return null;
            });
        }
        posters.shutdown();
        posters.awaitTermination(10, TimeUnit.MINUTES);
        postedSeconds = secondsSince(t0);
        if (refused.get() > 0) {
            fail(refused.get() + " of " + n + " orders refused at intake");
        }
        long delivered = 0;
        while (true) {
            delivered = deliveredOfShop();
            if (delivered >= before + n) {
                return secondsSince(t0);
            }
            if (secondsSince(t0) > deadline) {
                fail("orders: " + (delivered - before) + " of " + n + " delivered after " + deadline + " s; counts " + countsOfShop());
            }
            Thread.sleep(50);
        }
    }

    static long deliveredOfShop() throws Exception {
        return countsOfShop().getOrDefault("delivered", 0L);
    }

    static Map<String, Long> countsOfShop() throws Exception {
        for (JsonNode p : getJson(hub + "/ops/partners", opsAuth())) {
            if (shop.equals(p.path("partner").asText())) {
                Map<String, Long> counts = new TreeMap<>();
                p.path("counts").fields().forEachRemaining(e -> counts.put(e.getKey(), e.getValue().asLong()));
                return counts;
            }
        }
        fail("no partner " + shop + " in /ops/partners");
        return Map.of();
    }

    static void callback(String receiptId, int n) {
        try {
            String body = "{\"receiptId\":\"" + receiptId + "\",\"status\":\"completed\",\"erpReference\":\"BENCH-" + n
                    + "\",\"erpDocumentId\":\"BDOC-" + n + "\"}";
            HttpResponse<String> res = CLIENT.send(HttpRequest.newBuilder(URI.create(hub + "/agents/" + vendor + "/callbacks"))
                    .timeout(Duration.ofSeconds(60)).header("Authorization", agentAuth()).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() == 200) {
                callbacksOk.incrementAndGet();
            } else {
                callbacksFailed.incrementAndGet();
                System.err.println("callback " + receiptId + " answered " + res.statusCode() + ": " + res.body());
            }
        } catch (Exception e) {
            callbacksFailed.incrementAndGet();
            System.err.println("callback " + receiptId + ": " + e);
        }
        lastCallbackAt.set(System.nanoTime());
    }

    // =================================================================================================================
    // The agent's HTTP side
    // =================================================================================================================

    static volatile String agentBase;

    static void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!("Bearer " + secret).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                badAuth.incrementAndGet();
                send(exchange, 401, "{\"error\":\"bad secret\"}");
                return;
            }
            if (path.equals("/orders") && exchange.getRequestMethod().equals("POST")) {
                order(exchange);
                return;
            }
            String[] parts = path.split("/");
            if (parts.length != 4 || !parts[1].equals("reconcile")) {
                send(exchange, 404, "{}");
                return;
            }
            reconcileRequests.incrementAndGet();
            long handlerStart = System.nanoTime();
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            NavigableMap<String, Held> data = parts[2].equals("items") ? ITEMS : new TreeMap<>();
            if (!List.of("items", "warehouses", "stock").contains(parts[2])) {
                send(exchange, 404, "{}");
                return;
            }
            if (parts[3].equals("checksum")) {
                MessageDigest digest = MessageDigest.getInstance("SHA-256");
                int count = 0;
                synchronized (data) {
                    for (Map.Entry<String, Held> e : range(data, query.get("from"), query.get("to")).entrySet()) {
                        digest.update((e.getKey() + ":" + e.getValue().hash() + "\n").getBytes(StandardCharsets.UTF_8));
                        count++;
                    }
                }
                send(exchange, 200, "{\"count\":" + count + ",\"checksum\":\"" + HexFormat.of().formatHex(digest.digest()) + "\"}");
                agentNanos.addAndGet(System.nanoTime() - handlerStart);
            } else if (parts[3].equals("records")) {
                int limit = Integer.parseInt(query.getOrDefault("limit", "100"));
                StringBuilder b = new StringBuilder(limit * 340).append("{\"records\":[");
                String next = null;
                int n = 0;
                synchronized (data) {
                    for (Map.Entry<String, Held> e : range(data, query.get("from"), query.get("to")).entrySet()) {
                        if (n == limit) {
                            next = e.getKey();
                            break;
                        }
                        b.append(n == 0 ? "" : ",").append(e.getValue().json());
                        n++;
                    }
                }
                recordsServed.addAndGet(n);
                b.append("],\"next\":").append(next == null ? "null" : JSON.writeValueAsString(next)).append('}');
                send(exchange, 200, b.toString());
                agentNanos.addAndGet(System.nanoTime() - handlerStart);
            } else {
                send(exchange, 404, "{}");
            }
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    /** An order: 202 at once, the callback {@code delayMillis} later; a repeat (same Idempotency-Key) is not booked twice. */
    static void order(HttpExchange exchange) throws IOException {
        int inflight = ordersInFlight.incrementAndGet();
        maxOrdersInFlight.accumulateAndGet(inflight, Math::max);
        try {
            try (InputStream in = exchange.getRequestBody()) {
                in.readAllBytes();
            }
            String receiptId = exchange.getRequestHeaders().getFirst("Idempotency-Key");
            if (receiptId == null || receiptId.isBlank()) {
                send(exchange, 400, "{\"error\":\"no Idempotency-Key\"}");
                return;
            }
            int n = ordersReceived.incrementAndGet();
            lastOrderAt.set(System.nanoTime());
            if (orderKeys.add(receiptId)) {
                callbacks.schedule(() -> callback(receiptId, n), delayMillis, TimeUnit.MILLISECONDS);
            } else {
                orderRepeats.incrementAndGet();
            }
            send(exchange, 202, "{\"accepted\":true}");
        } finally {
            ordersInFlight.decrementAndGet();
        }
    }

    static SortedMap<String, Held> range(NavigableMap<String, Held> all, String from, String to) {
        if (from != null && to != null) {
            return from.compareTo(to) >= 0 ? new TreeMap<>() : all.subMap(from, true, to, false);
        }
        if (from != null) {
            return all.tailMap(from, true);
        }
        return to != null ? all.headMap(to, false) : all;
    }

    static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    // =================================================================================================================
    // Client helpers
    // =================================================================================================================

    static String agentAuth() {
        return "Bearer " + token;
    }

    static String opsAuth() {
        return "ops:" + opsKey;
    }

    static HttpRequest.Builder auth(HttpRequest.Builder b, String auth) {
        return auth.startsWith("ops:") ? b.header("X-API-Key", auth.substring(4)) : b.header("Authorization", auth);
    }

    static JsonNode postJson(String url, String auth, String body, int expect) throws Exception {
        HttpResponse<String> res = CLIENT.send(auth(HttpRequest.newBuilder(URI.create(url)), auth).timeout(Duration.ofSeconds(300))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != expect) {
            fail("POST " + url + " answered " + res.statusCode() + " (expected " + expect + "): " + abbreviate(res.body()));
        }
        return res.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(res.body());
    }

    static JsonNode getJson(String url, String auth) throws Exception {
        HttpResponse<String> res = CLIENT.send(auth(HttpRequest.newBuilder(URI.create(url)), auth).timeout(Duration.ofSeconds(300)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 200) {
            fail("GET " + url + " answered " + res.statusCode() + ": " + abbreviate(res.body()));
        }
        return JSON.readTree(res.body());
    }

    static void expectCounts(JsonNode answer, Map<String, Long> want, String what) {
        for (String status : List.of("created", "updated", "unchanged", "stale", "rejected")) {
            long got = answer.path("counts").path(status).asLong(-1);
            if (got != want.getOrDefault(status, 0L)) {
                fail(what + ": expected " + want + ", the hub counted " + answer.path("counts") + " "
                        + abbreviate(answer.path("results").toString()));
            }
        }
        if (answer.toString().contains("\"warnings\":[{")) {
            fail(what + ": a record has warnings (a family/subfamily without mapping?)");
        }
    }

    static double secondsSince(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    static String abbreviate(String s) {
        return s.length() > 600 ? s.substring(0, 600) + "..." : s;
    }

    static void fail(String message) {
        System.err.println("AGENT BENCH FAILED: " + message);
        System.out.flush();
        Runtime.getRuntime().halt(1);
    }
}
