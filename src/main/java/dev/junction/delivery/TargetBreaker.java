package dev.junction.delivery;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A target's circuit breaker with the hub's rules on top of resilience4j's:
 * <ul>
 *   <li>a message's first failed call is not held against the target, its later failures are, and every success
 *       counts: a target that fails each message once and takes the retry (a cold cache, a replica catching up) is
 *       not down, and counting those first calls opened the breaker for good while half its calls succeeded;</li>
 *   <li>while half-open, only the messages the dispatcher chose as trials may call: those that already failed against
 *       the target, fewest attempts first, then the oldest. A trial spent on a message's first call said nothing about a target that fails
 *       first calls (a 50% target got 84 calls in ten minutes, all of them trials on first calls, and delivered none).</li>
 * </ul>
 */
final class TargetBreaker {

    private final String key;
    private final CircuitBreaker breaker;
    private final Duration openFor;
    /** The trials of the current half-open round: receipt ids the dispatcher un-parked for it. */
    private final Set<String> trials = ConcurrentHashMap.newKeySet();

    TargetBreaker(String key, CircuitBreaker breaker, Duration openFor) {
        this.key = key;
        this.breaker = breaker;
        this.openFor = openFor;
        // A new round of trials each time the breaker half-opens; the last round's trials are ordinary messages again.
        breaker.getEventPublisher().onStateTransition(e -> trials.clear());
    }

    /** {@code <partner>/<target>}: what parked messages record, and what logs and ops show. */
    String key() {
        return key;
    }

    CircuitBreaker breaker() {
        return breaker;
    }

    /** The descriptor's {@code waitInOpenState}. */
    Duration openFor() {
        return openFor;
    }

    CircuitBreaker.State state() {
        return breaker.getState();
    }

    /** Whether this message may call now; if true, its outcome must be reported with {@link #record}. */
    boolean tryAcquire(String receiptId) {
        if (breaker.getState() == CircuitBreaker.State.HALF_OPEN && !trials.contains(receiptId)) {
            return false;
        }
        return breaker.tryAcquirePermission();
    }

    /**
     * Whether a call that carries no message (a sync job's pull) may be made now; if true, its outcome must be reported
     * with {@link #succeeded} or {@link #failed}. While half-open such a call is one of the round's trials: a target
     * only a source calls has no parked message to try with, and would never close again.
     */
    boolean tryAcquireForPull() {
        return breaker.tryAcquirePermission();
    }

    /** Gives back a permission without an outcome (the call was never made). */
    void release() {
        breaker.releasePermission();
    }

    void succeeded(long nanos) {
        breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
    }

    /** A failed call; forgiven (not counted) when it was the message's first attempt. */
    void failed(long nanos, Throwable error, int attempt) {
        if (attempt <= 1) {
            breaker.releasePermission();
        } else {
            breaker.onError(nanos, TimeUnit.NANOSECONDS, error);
        }
    }

    /** Trial slots still free in this half-open round (0 unless half-open). */
    int trialsWanted() {
        if (breaker.getState() != CircuitBreaker.State.HALF_OPEN) {
            return 0;
        }
        return Math.max(0, breaker.getCircuitBreakerConfig().getPermittedNumberOfCallsInHalfOpenState() - trials.size());
    }

    void designate(Collection<String> receiptIds) {
        trials.addAll(receiptIds);
    }
}
