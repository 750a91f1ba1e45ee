package dev.junction.reliability;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The target's side of the ledger: what the WireMock target received at a path, checked against the receipts the
 * clients were given. Each call names its receipt ({@code Idempotency-Key}) and, in its payload, the client's key.
 */
record TargetLedger(int acknowledged, Set<String> undelivered, int calls, int duplicates, List<String> mismatched,
                    int deliveredUnanswered) {

    private static final ObjectMapper JSON = new ObjectMapper();

    record Call(String idempotencyKey, String clientKey) {}

    static List<Call> calls(WireMockServer target, String path) {
        List<Call> calls = new ArrayList<>();
        for (ServeEvent e : target.getAllServeEvents()) {
            if (e.getRequest().getUrl().equals(path)) {
                calls.add(new Call(e.getRequest().getHeader("Idempotency-Key"), clientKey(e.getRequest().getBodyAsString())));
            }
        }
        return calls;
    }

    /** Books the target's calls against the acknowledged receipts (client key to receipt id). */
    static TargetLedger check(Map<String, String> acknowledged, List<Call> calls) {
        Set<String> undelivered = new HashSet<>(acknowledged.values());
        Map<String, String> receiptByClientKey = new HashMap<>();
        Set<String> distinct = new HashSet<>();
        List<String> mismatched = new ArrayList<>();
        Set<String> unansweredButDelivered = new HashSet<>();
        for (Call call : calls) {
            distinct.add(call.idempotencyKey());
            undelivered.remove(call.idempotencyKey());
            String owed = acknowledged.get(call.clientKey());
            String earlier = receiptByClientKey.putIfAbsent(call.clientKey(), call.idempotencyKey());
            // A repeat must carry the receipt of its first call, and that receipt must be the one the client was given.
            if (call.idempotencyKey() == null || (owed != null && !owed.equals(call.idempotencyKey()))
                    || (earlier != null && !earlier.equals(call.idempotencyKey()))) {
                mismatched.add(call.clientKey() + " -> " + call.idempotencyKey() + " (acknowledged " + owed + ", first " + earlier + ")");
            }
            if (owed == null) {
                unansweredButDelivered.add(call.clientKey());
            }
        }
        return new TargetLedger(acknowledged.size(), undelivered, calls.size(), calls.size() - distinct.size(), mismatched,
                unansweredButDelivered.size());
    }

    private static String clientKey(String body) {
        try {
            return JSON.readTree(body).path("key").asText(null);
        } catch (IOException e) {
            throw new UncheckedIOException("Not a load payload: " + body, e);
        }
    }

    @Override
    public String toString() {
        return "acknowledged=" + acknowledged + " undelivered=" + undelivered.size() + " calls=" + calls
                + " duplicates=" + duplicates + " mismatched=" + mismatched.size() + " delivered-though-unanswered=" + deliveredUnanswered;
    }
}
