package dev.junction.delivery;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

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
            String snippet = new String(response.body(), 0, Math.min(200, response.body().length), StandardCharsets.UTF_8);
            Duration retryAfter = FailureClassifier.retryAfter(response.headers().firstValue("Retry-After").orElse(null), Instant.now());
            TargetHttpException failure = new TargetHttpException(name, status, retryAfter, snippet.replaceAll("\\s+", " "));
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
}
