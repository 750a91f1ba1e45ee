package dev.junction.delivery;

import java.time.Duration;

/** What one delivery attempt came to. */
sealed interface Outcome {

    /** The route completed. */
    record Delivered(Integer httpStatus) implements Outcome {}

    /** Worth another attempt, after the schedule's delay or the target's Retry-After (nullable). */
    record Retry(Integer httpStatus, Throwable error, Duration retryAfter) implements Outcome {}

    /** Retrying cannot help. */
    record Dead(Integer httpStatus, Throwable error) implements Outcome {}

    /** An ERP agent took the order (2xx): the message awaits the agent's callback until {@code timeout} passes. */
    record Awaiting(String vendor, Integer httpStatus) implements Outcome {}

    /** Not attempted: the target's breaker refused the call. Parked on {@code target} until it lets calls through. */
    record Parked(String target, String reason) implements Outcome {}

    /** Not attempted: the route had no consumer while route files were being reloaded. Due again shortly, attempts unchanged. */
    record Deferred(String reason) implements Outcome {}
}
