package dev.junction.delivery;

/** The target's circuit breaker refused the call: none was made, so no attempt is spent, and the message is parked. */
class BreakerOpenException extends RuntimeException {

    private final String target;

    /** @param target {@code <partner>/<target>} */
    BreakerOpenException(String target) {
        super("circuit breaker open for " + target, null, false, false);
        this.target = target;
    }

    String target() {
        return target;
    }
}
