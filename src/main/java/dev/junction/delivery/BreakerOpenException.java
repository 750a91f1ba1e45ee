package dev.junction.delivery;

import java.time.Duration;

/** The target's circuit breaker is open: no call was made, so no attempt is spent. */
class BreakerOpenException extends RuntimeException {

    private final transient Duration wait;

    BreakerOpenException(String target, Duration wait) {
        super("circuit breaker open for " + target, null, false, false);
        this.wait = wait;
    }

    Duration waitFor() {
        return wait;
    }
}
