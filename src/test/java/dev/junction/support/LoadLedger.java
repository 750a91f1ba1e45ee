package dev.junction.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The partners' side of a reliability test: client threads POST events with unique Idempotency-Keys and book every
 * answer. A {@code 202} is a debt (the receipt id, by key) the hub must honour; a {@code 503} is a refusal the client
 * may retry with the same key; a request that got no answer at all (connection refused or reset by a kill) is counted
 * apart: the hub may or may not have committed it, so it is neither owed nor forbidden.
 *
 * <p>Each payload carries its key ({@code {"key":"..."}}), so a request seen at the target names the request it came from.
 */
public final class LoadLedger {

    private final String path;
    private final String apiKey;
    private final String prefix;
    private final AtomicLong sequence = new AtomicLong();
    private final Map<String, String> acknowledged = new ConcurrentHashMap<>();
    private final Map<String, String> refused = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    private final AtomicInteger unanswered = new AtomicInteger();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();

    public LoadLedger(String partner, String event, String apiKey, String prefix) {
        this.path = "/webhooks/" + partner + "/" + event;
        this.apiKey = apiKey;
        this.prefix = prefix;
    }

    public static String payload(String key) {
        return "{\"key\":\"" + key + "\"}";
    }

    /** Starts {@code n} client threads against this hub; each sends new keys back to back until {@link #stop()}. */
    public synchronized void start(HubClient hub, int n) {
        stop.set(false);
        for (int t = 0; t < n; t++) {
            Thread thread = new Thread(() -> {
                while (!stop.get()) {
                    send(hub, prefix + "-" + sequence.incrementAndGet());
                }
            }, "load-" + prefix + "-" + t);
            thread.start();
            threads.add(thread);
        }
    }

    /** Stops the client threads and waits for their last requests to be answered (or fail). */
    public synchronized void stop() throws InterruptedException {
        stop.set(true);
        for (Thread thread : threads) {
            thread.join(60_000);
        }
        threads.clear();
    }

    /** Sends one key and books the answer; returns the response, or null when there was none. */
    public HubClient.Res send(HubClient hub, String key) {
        HubClient.Res res;
        try {
            res = hub.postJson(path, payload(key), "X-API-Key", apiKey, "Idempotency-Key", key);
        } catch (RuntimeException noAnswer) {
            unanswered.incrementAndGet();
            return null;
        }
        statuses.computeIfAbsent(res.status(), s -> new AtomicInteger()).incrementAndGet();
        if (res.status() == 202) {
            acknowledged.put(key, res.json().path("receiptId").asText());
            refused.remove(key);
        } else if (res.status() == 503) {
            refused.put(key, res.header("Content-Type").orElse("") + " " + res.json().path("detail").asText());
        }
        return res;
    }

    /** Idempotency-Key to receipt id, for every key answered {@code 202}. */
    public Map<String, String> acknowledged() {
        return Map.copyOf(acknowledged);
    }

    public int acknowledgedCount() {
        return acknowledged.size();
    }

    /** Keys whose last answer was {@code 503}, with that answer's content type and detail. */
    public Map<String, String> refused() {
        return Map.copyOf(refused);
    }

    public int unanswered() {
        return unanswered.get();
    }

    /** How many answers of each HTTP status, retries included. */
    public Map<Integer, Integer> statuses() {
        Map<Integer, Integer> copy = new TreeMap<>();
        statuses.forEach((status, n) -> copy.put(status, n.get()));
        return copy;
    }

    public int count(int status) {
        AtomicInteger n = statuses.get(status);
        return n == null ? 0 : n.get();
    }

    @Override
    public String toString() {
        return "acknowledged=" + acknowledged.size() + " refused=" + refused.size() + " unanswered=" + unanswered.get()
                + " statuses=" + statuses();
    }
}
