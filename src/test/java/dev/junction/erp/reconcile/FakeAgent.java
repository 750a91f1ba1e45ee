package dev.junction.erp.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.erdtman.jcs.JsonCanonicalizer;

/**
 * An agent's side of the reconcile protocol, written from the contract and sharing no code with the hub: keys ordered
 * by comparing their UTF-8 bytes, content hashes by the RFC 8785 reference library, checksums over its own records.
 * Logs every request (path, query and Authorization) and the number of records it served; can fail, stall or hold
 * its answers at a gate.
 */
final class FakeAgent implements AutoCloseable {

    record Request(String path, Map<String, String> query, String authorization) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.util.Comparator<String> UTF8 =
            (a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    /** A record and its content hash, computed once when it is put, as an agent would keep it. */
    private record Held(JsonNode record, String hash) {}

    private final Map<String, NavigableMap<String, Held>> data = new ConcurrentHashMap<>();
    final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final java.util.concurrent.atomic.AtomicInteger served = new java.util.concurrent.atomic.AtomicInteger();
    /** When set, every answer is this status. */
    volatile int failWith;
    /** When set, every answer waits this long first. */
    volatile long delayMillis;
    /** When set, every answer waits for it to open. */
    volatile CountDownLatch gate;
    /** Requests being answered now, and the most there have been at once. */
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger maxInFlight = new java.util.concurrent.atomic.AtomicInteger();

    FakeAgent() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
        for (String kind : List.of("items", "warehouses", "stock")) {
            data.put(kind, Collections.synchronizedNavigableMap(new TreeMap<>(UTF8)));
        }
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The agent's copy of an item: its key is {@code erpId}. */
    void put(String kind, String key, JsonNode record) {
        data.get(kind).put(key, new Held(record, contentHash(record)));
    }

    void remove(String kind, String key) {
        data.get(kind).remove(key);
    }

    int served() {
        return served.get();
    }

    int maxInFlight() {
        return maxInFlight.get();
    }

    void forget() {
        requests.clear();
        served.set(0);
        maxInFlight.set(0);
    }

    static String contentHash(JsonNode record) {
        ObjectNode copy = record.deepCopy();
        copy.remove("updatedAt");
        try {
            String canonical = new JsonCanonicalizer(JSON.writeValueAsString(copy)).getEncodedString();
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        try (exchange) {
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            String path = exchange.getRequestURI().getPath();
            requests.add(new Request(path, query, exchange.getRequestHeaders().getFirst("Authorization")));
            CountDownLatch g = gate;
            if (g != null) {
                g.await(30, TimeUnit.SECONDS);
            }
            if (delayMillis > 0) {
                Thread.sleep(delayMillis);
            }
            if (failWith > 0) {
                if (failWith / 100 == 3) {
                    exchange.getResponseHeaders().add("Location", url() + "/elsewhere");
                }
                send(exchange, failWith, "{\"error\":\"the ERP is down\"}");
                return;
            }
            String[] parts = path.split("/");
            if (parts.length != 4 || !parts[1].equals("reconcile") || !data.containsKey(parts[2])) {
                send(exchange, 404, "{}");
                return;
            }
            SortedMap<String, Held> range = range(data.get(parts[2]), query.get("from"), query.get("to"));
            ObjectNode answer = JSON.createObjectNode();
            if (parts[3].equals("checksum")) {
                MessageDigest digest = MessageDigest.getInstance("SHA-256");
                synchronized (data.get(parts[2])) {
                    range.forEach((key, held) -> digest.update((key + ":" + held.hash() + "\n").getBytes(StandardCharsets.UTF_8)));
                    answer.put("count", range.size());
                }
                answer.put("checksum", HexFormat.of().formatHex(digest.digest()));
            } else if (parts[3].equals("records")) {
                int limit = Integer.parseInt(query.getOrDefault("limit", "100"));
                ArrayNode records = answer.putArray("records");
                String next = null;
                synchronized (data.get(parts[2])) {
                    for (Map.Entry<String, Held> e : range.entrySet()) {
                        if (records.size() == limit) {
                            next = e.getKey();
                            break;
                        }
                        records.add(e.getValue().record());
                    }
                }
                served.addAndGet(records.size());
                answer.put("next", next);
            } else {
                send(exchange, 404, "{}");
                return;
            }
            send(exchange, 200, JSON.writeValueAsString(answer));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IOException(e);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private static SortedMap<String, Held> range(NavigableMap<String, Held> all, String from, String to) {
        if (from != null && to != null) {
            return UTF8.compare(from, to) >= 0 ? new TreeMap<>() : all.subMap(from, true, to, false);
        }
        if (from != null) {
            return all.tailMap(from, true);
        }
        return to != null ? all.headMap(to, false) : all;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        CountDownLatch g = gate;
        if (g != null) {
            g.countDown();
        }
        server.stop(0);
        threads.shutdownNow();
    }
}
