package dev.junction.erp.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.erp.mirror.Kind;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The hub's side of the reconcile protocol: {@code GET {agentUrl}/reconcile/{kind}/checksum} and {@code .../records}.
 * Every call carries the vendor's orders secret as a Bearer token (when the descriptor's placeholder resolves), has a
 * timeout, and is never redirected: a 3xx is an error like any other non-2xx, so the secret only goes where the
 * vendor registered. Counts its requests for the run's record.
 */
final class AgentClient {

    record Checksum(long count, String checksum) {}

    record Page(List<JsonNode> records, String next) {}

    /** The agent answered other than the protocol says, or not in time. */
    static final class AgentException extends Exception {
        AgentException(String message) {
            super(message, null, false, false);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY_CHARS_IN_ERRORS = 200;

    private final HttpClient http;
    private final String baseUrl;
    private final String bearer;
    private final Duration timeout;
    /** Workers of a run share the client (ranges are checked concurrently). */
    private final java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();

    /** @param bearer the resolved secret, or null to call without an Authorization header */
    AgentClient(HttpClient http, String agentUrl, String bearer, Duration timeout) {
        this.http = http;
        this.baseUrl = agentUrl.endsWith("/") ? agentUrl.substring(0, agentUrl.length() - 1) : agentUrl;
        this.bearer = bearer;
        this.timeout = timeout;
    }

    /** The client every run shares: no redirects, a connect timeout; HTTP/1.1, which every agent's server speaks. */
    static HttpClient httpClient(Duration connectTimeout) {
        return HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(connectTimeout)
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    int requests() {
        return requests.get();
    }

    Checksum checksum(Kind kind, String from, String to) throws AgentException, InterruptedException {
        JsonNode body = get(kind, "checksum", from, to, null);
        JsonNode count = body.get("count");
        JsonNode checksum = body.get("checksum");
        if (count == null || !count.canConvertToLong() || checksum == null || !checksum.isTextual()) {
            throw new AgentException("checksum of " + kind.plural() + " " + range(from, to) + ": expected {\"count\",\"checksum\"}, got "
                    + clip(body.toString()));
        }
        return new Checksum(count.longValue(), checksum.textValue().toLowerCase(java.util.Locale.ROOT));
    }

    Page records(Kind kind, String from, String to, int limit) throws AgentException, InterruptedException {
        JsonNode body = get(kind, "records", from, to, limit);
        JsonNode records = body.get("records");
        JsonNode next = body.get("next");
        if (records == null || !records.isArray() || (next != null && !next.isNull() && !next.isTextual())) {
            throw new AgentException("records of " + kind.plural() + " " + range(from, to) + ": expected {\"records\":[...],\"next\"}, got "
                    + clip(body.toString()));
        }
        List<JsonNode> list = new ArrayList<>(records.size());
        records.forEach(list::add);
        return new Page(list, next == null || next.isNull() ? null : next.textValue());
    }

    private JsonNode get(Kind kind, String what, String from, String to, Integer limit) throws AgentException, InterruptedException {
        StringBuilder url = new StringBuilder(baseUrl).append("/reconcile/").append(kind.plural()).append('/').append(what);
        char sep = '?';
        if (from != null) {
            url.append(sep).append("from=").append(encode(from));
            sep = '&';
        }
        if (to != null) {
            url.append(sep).append("to=").append(encode(to));
            sep = '&';
        }
        if (limit != null) {
            url.append(sep).append("limit=").append(limit);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url.toString())).timeout(timeout).GET()
                .header("Accept", "application/json");
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        requests.incrementAndGet();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw new AgentException("GET " + path(kind, what) + " " + range(from, to) + ": no answer within " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            throw new AgentException("GET " + path(kind, what) + " " + range(from, to) + ": " + e);
        }
        String text = new String(response.body(), StandardCharsets.UTF_8);
        if (response.statusCode() / 100 != 2) {
            throw new AgentException("GET " + path(kind, what) + " " + range(from, to) + ": HTTP " + response.statusCode()
                    + (text.isBlank() ? "" : " " + clip(text)));
        }
        try {
            JsonNode body = JSON.readTree(text);
            if (body == null || !body.isObject()) {
                throw new AgentException("GET " + path(kind, what) + ": the body is not a JSON object: " + clip(text));
            }
            return body;
        } catch (IOException e) {
            throw new AgentException("GET " + path(kind, what) + ": the body is not JSON: " + clip(text));
        }
    }

    private static String path(Kind kind, String what) {
        return "/reconcile/" + kind.plural() + "/" + what;
    }

    static String range(String from, String to) {
        return "[" + (from == null ? "" : from) + ", " + (to == null ? "" : to) + ")";
    }

    /** Percent-encoding (a space as %20, not the form encoding's '+'), every byte of a non-ASCII key included. */
    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String clip(String text) {
        String line = text.strip().replaceAll("\\s+", " ");
        return line.length() > MAX_BODY_CHARS_IN_ERRORS ? line.substring(0, MAX_BODY_CHARS_IN_ERRORS) + "..." : line;
    }
}
