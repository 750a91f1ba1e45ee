package dev.junction.delivery;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One HTTP call through a breaker, for {@code target:} and {@code agent:} alike: the caller has acquired the breaker;
 * 5xx, timeouts and connection errors count against it (a message's first failure excepted, see {@link TargetBreaker}),
 * a 4xx means the other side is up. A status of 300 or more becomes a {@link TargetHttpException} for the classifier.
 */
final class BreakerCall {

    private BreakerCall() {}

    static HttpResponse<byte[]> send(HttpClient client, HttpRequest request, TargetBreaker breaker, int attempt, String name)
            throws IOException, InterruptedException {
        long start = System.nanoTime();
        HttpResponse<byte[]> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            breaker.failed(System.nanoTime() - start, e, attempt);
            throw e;
        } catch (InterruptedException e) {
            breaker.release();
            Thread.currentThread().interrupt();
            throw e;
        }
        long elapsed = System.nanoTime() - start;
        int status = response.statusCode();
        if (status >= 300) {
            // Redacted before it is cut, so that no secret survives in part at the cut.
            String head = new String(response.body(), 0, Math.min(4096, response.body().length), StandardCharsets.UTF_8);
            String snippet = redact(head.replaceAll("\\s+", " "), request);
            snippet = snippet.substring(0, Math.min(200, snippet.length()));
            Duration retryAfter = FailureClassifier.retryAfter(response.headers().firstValue("Retry-After").orElse(null), Instant.now());
            TargetHttpException failure = new TargetHttpException(name, status, retryAfter, snippet);
            if (status >= 500) {
                breaker.failed(elapsed, failure, attempt);
            } else {
                breaker.succeeded(elapsed);
            }
            throw failure;
        }
        breaker.succeeded(elapsed);
        return response;
    }

    /** Headers of ours, never secret; any other header is the target's own and may carry a credential. */
    private static final Set<String> PLAIN = Set.of("accept", "content-type", "user-agent", "idempotency-key", "x-correlation-id");
    private static final int SHORTEST_SECRET = 8;

    /**
     * The body snippet without the request's credentials: an error page that echoes the request ("invalid token
     * s3cr3t") would otherwise put a secret into the attempt history, the dead-letter view and the logs.
     */
    static String redact(String snippet, HttpRequest request) {
        String redacted = snippet;
        for (Map.Entry<String, List<String>> header : request.headers().map().entrySet()) {
            if (PLAIN.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                continue;
            }
            for (String value : header.getValue()) {
                redacted = hide(redacted, value);
                for (String part : value.split("\\s+")) {
                    redacted = hide(redacted, part);
                }
            }
        }
        return redacted;
    }

    private static String hide(String text, String secret) {
        return secret.length() < SHORTEST_SECRET ? text : text.replace(secret, "[redacted]");
    }
}
