package dev.junction.delivery;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.apache.camel.Exchange;
import org.apache.camel.component.direct.DirectConsumerNotAvailableException;
import org.apache.camel.http.base.HttpOperationFailedException;

/**
 * One classification for every route, whether it calls a {@code target:} or a plain {@code http:} URI:
 * connect/read errors, timeouts, 408, 425, 429 and 5xx are retried; other 4xx and {@link NonRetryableDeliveryException}
 * are dead at once; any other route exception is retried.
 */
final class FailureClassifier {

    private FailureClassifier() {}

    static Outcome classify(Exchange exchange) {
        Throwable error = exchange.getException();
        if (error == null) {
            Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
            return new Outcome.Delivered(status);
        }
        return classify(error);
    }

    static Outcome classify(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof BreakerOpenException open) {
                return new Outcome.Parked(open.target(), open.getMessage());
            }
            if (t instanceof AgentUnavailableException held) {
                return new Outcome.Parked(held.holdKey(), held.getMessage());
            }
            if (t instanceof NonRetryableDeliveryException) {
                return new Outcome.Dead(null, t);
            }
            if (t instanceof TargetHttpException http) {
                return byStatus(http.status(), t, http.retryAfter());
            }
            if (t instanceof HttpOperationFailedException http) {
                return byStatus(http.getStatusCode(), t, retryAfter(http.getResponseHeaders()));
            }
            if (t instanceof IOException || t instanceof TimeoutException) {
                return new Outcome.Retry(null, t, null);
            }
        }
        return new Outcome.Retry(null, error, null);
    }

    /** The route's {@code direct:} endpoint had no consumer: the route is gone, or being swapped by a reload. */
    static boolean noRouteConsumer(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DirectConsumerNotAvailableException) {
                return true;
            }
        }
        return false;
    }

    /** An error the hub meets in the normal course of delivery, which a stack trace would not explain any better. */
    static boolean expected(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof BreakerOpenException || t instanceof AgentUnavailableException || t instanceof NonRetryableDeliveryException || t instanceof TargetHttpException
                    || t instanceof HttpOperationFailedException || t instanceof IOException || t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    static Outcome byStatus(int status, Throwable error, Duration retryAfter) {
        if (status == 408 || status == 425 || status == 429 || status >= 500) {
            return new Outcome.Retry(status, error, status == 429 || status == 503 ? retryAfter : null);
        }
        return new Outcome.Dead(status, error);
    }

    /** Retry-After as delta-seconds or an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = DateTimeFormatter.RFC_1123_DATE_TIME.parse(value.trim(), Instant::from);
                return at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO;
            } catch (RuntimeException unreadable) {
                return null;
            }
        }
    }

    private static Duration retryAfter(Map<String, String> headers) {
        if (headers == null) {
            return null;
        }
        return headers.entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase("Retry-After"))
                .findFirst()
                .map(e -> retryAfter(e.getValue(), Instant.now()))
                .orElse(null);
    }
}
