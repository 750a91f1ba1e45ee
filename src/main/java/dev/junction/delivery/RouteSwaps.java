package dev.junction.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/**
 * The routes a reload is swapping. While a route is swapped the dispatcher starts no delivery on it: the message is put
 * back without spending an attempt and comes due a second later. This is what lets the swap finish: Camel stops a route
 * gracefully, waiting for its in-flight exchanges, but a {@code direct:} consumer defers its own shutdown while
 * exchanges are in flight, so under steady traffic new deliveries kept entering the old route and the stop waited out
 * Camel's whole shutdown timeout (measured: 30 s and more under load). Held back, the in-flight ones finish on the route
 * they started on and the swap takes about a second.
 *
 * <p>A delivery that still finds no consumer on its route's endpoint during or shortly after a swap (it was sent just
 * before the hold, and Camel's direct producer is set not to wait, or waited longer than the swap) is put back the same
 * way. Outside a swap that error is an ordinary failed attempt, so a route that is really gone still ends in the dead
 * letters rather than being retried for ever.
 */
@Component
public class RouteSwaps {

    /** After a swap ends, how long a missing consumer still counts as the swap's: the direct producer's 30 s wait and a margin. */
    static final Duration AFTERMATH = Duration.ofSeconds(45);
    /** When a message a swap put back is due again. */
    static final Duration DEFER = Duration.ofSeconds(1);

    private final AtomicInteger inProgress = new AtomicInteger();
    private final Set<String> held = ConcurrentHashMap.newKeySet();
    private final Clock clock;
    private volatile Instant lastEnded = Instant.MIN;

    RouteSwaps(Clock clock) {
        this.clock = clock;
    }

    /** Holds new deliveries on these routes until {@link #end}. */
    public void begin(Collection<String> routeIds) {
        inProgress.incrementAndGet();
        held.addAll(routeIds);
    }

    public void end(Collection<String> routeIds) {
        held.removeAll(routeIds);
        lastEnded = clock.instant();
        inProgress.decrementAndGet();
    }

    boolean holds(String routeId) {
        return held.contains(routeId);
    }

    boolean active(Instant now) {
        return inProgress.get() > 0 || now.isBefore(lastEnded.plus(AFTERMATH));
    }
}
