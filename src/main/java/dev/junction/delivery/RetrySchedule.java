package dev.junction.delivery;

import dev.junction.partner.Partner;
import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * When the next attempt runs: {@code min(maxDelay, initialDelay * multiplier^(n-1))} after attempt n failed, spread by
 * +-jitter so that a partner's failed messages do not all come back in the same instant.
 */
final class RetrySchedule {

    private RetrySchedule() {}

    /** The delay after failed attempt {@code n} (1-based). */
    static Duration after(int n, Partner.RetryPolicy policy, RandomGenerator random) {
        double base = policy.initialDelay().toMillis() * Math.pow(policy.multiplier(), n - 1);
        double capped = Math.min(policy.maxDelay().toMillis(), base);
        double spread = policy.jitter() == 0 ? 0 : (random.nextDouble() * 2 - 1) * policy.jitter();
        return Duration.ofMillis(Math.max(0, Math.round(capped * (1 + spread))));
    }

    /** A target's own Retry-After wins over the schedule, but never past maxDelay. */
    static Duration retryAfter(Duration requested, Partner.RetryPolicy policy) {
        return requested.compareTo(policy.maxDelay()) > 0 ? policy.maxDelay() : requested;
    }
}
