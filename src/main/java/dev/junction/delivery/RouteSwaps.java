package dev.junction.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/**
 * Whether route files are being swapped in the running Camel context, or were a moment ago. A delivery that finds no
 * consumer on its route's {@code direct:} endpoint meanwhile (Camel's direct producer waits up to its timeout for one,
 * so this takes a swap slower than that, or a context set not to wait) is put back without spending an attempt: the
 * reload, not the message, failed it. Outside a swap the same error is an ordinary failed attempt, so a route that
 * is really gone still ends in the dead letters rather than being retried for ever.
 */
@Component
public class RouteSwaps {

    /** After a swap ends, how long a missing consumer still counts as the swap's: the direct producer's 30 s wait and a margin. */
    static final Duration AFTERMATH = Duration.ofSeconds(45);
    /** When a message a swap put back is due again. */
    static final Duration DEFER = Duration.ofSeconds(1);

    private final AtomicInteger inProgress = new AtomicInteger();
    private final Clock clock;
    private volatile Instant lastEnded = Instant.MIN;

    RouteSwaps(Clock clock) {
        this.clock = clock;
    }

    public void begin() {
        inProgress.incrementAndGet();
    }

    public void end() {
        lastEnded = clock.instant();
        inProgress.decrementAndGet();
    }

    boolean active(Instant now) {
        return inProgress.get() > 0 || now.isBefore(lastEnded.plus(AFTERMATH));
    }
}
