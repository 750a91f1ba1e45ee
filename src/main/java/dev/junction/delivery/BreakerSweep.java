package dev.junction.delivery;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Parked messages wait in the database, not in a dispatch loop: while a target's breaker is open nothing of theirs is
 * dispatched (before, each was dispatched again every open period only to be postponed again: a write and a log line
 * each, a hundred a second with 3,000 waiting). On each full poll this sweep looks at the breakers messages are parked
 * on: closed (or no longer declared), it makes all of them due in receipt order; half-open, it makes the trials due,
 * those that already failed against the target first ({@link TargetBreaker}); open, nothing. Orders held for an ERP
 * agent ({@code <partner>/agent:<vendor>}) also wait for the agent to be reachable by heartbeat, then for its breaker.
 *
 * <p>It knows the targets this instance parked messages on, and once a minute asks the database for the others (parked
 * by an instance that stopped, or before a restart); should no instance sweep at all, a parked message still comes due
 * at its {@link #parkUntil bound}.
 */
@Component
class BreakerSweep {

    private static final Duration REDISCOVER = Duration.ofMinutes(1);
    /** A target is forgotten when a sweep finds nothing parked on it and nothing was parked for this long. */
    private static final Duration SETTLE = Duration.ofSeconds(10);
    private static final Duration MIN_PARK = Duration.ofMinutes(10);

    private final Breakers breakers;
    private final DeliveryStore store;
    private final AgentDirectory agents;
    /** Target key -> when this instance last parked a message on it. */
    private final Map<String, Instant> parkedOn = new ConcurrentHashMap<>();
    private volatile Instant nextRediscovery = Instant.EPOCH;

    BreakerSweep(Breakers breakers, DeliveryStore store, AgentDirectory agents) {
        this.breakers = breakers;
        this.store = store;
        this.agents = agents;
    }

    /** True unless the key holds orders for an agent that is offline or never registered. */
    private boolean agentReachable(String key) {
        String vendor = AgentProducer.vendorOfHold(key);
        return vendor == null || agents.agent(vendor).map(AgentDirectory.Agent::reachable).orElse(false);
    }

    /** Latest time a message parked on the target now comes due without a sweep: ten open periods, at least 10 minutes. */
    Instant parkUntil(String target, Instant now) {
        TargetBreaker breaker = breakers.forParked(target);
        Duration open = breaker == null ? Duration.ZERO : breaker.openFor().multipliedBy(10);
        return now.plus(open.compareTo(MIN_PARK) > 0 ? open : MIN_PARK);
    }

    void parked(String target, Instant at) {
        parkedOn.put(target, at);
    }

    /** One pass, on the poller's thread, before it claims (so trials made due here are claimed at once). */
    void sweep(Collection<String> partners, Instant now) {
        if (!now.isBefore(nextRediscovery)) {
            nextRediscovery = now.plus(REDISCOVER);
            for (String partner : partners) {
                store.parkedTargets(partner).forEach(target -> parkedOn.putIfAbsent(target, Instant.EPOCH));
            }
        }
        parkedOn.forEach((target, lastParked) -> {
            String partner = target.substring(0, Math.max(0, target.indexOf('/')));
            if (!agentReachable(target)) {
                return; // an offline agent's orders stay held, whatever its breaker says
            }
            TargetBreaker breaker = breakers.forParked(target);
            CircuitBreaker.State state = breaker == null ? CircuitBreaker.State.CLOSED : breaker.state();
            if (state == CircuitBreaker.State.HALF_OPEN) {
                int wanted = breaker.trialsWanted();
                if (wanted > 0) {
                    breaker.designate(store.unparkTrials(partner, target, wanted));
                }
            } else if (state != CircuitBreaker.State.OPEN && state != CircuitBreaker.State.FORCED_OPEN) {
                // A park whose outcome was still on its way to the database when this ran is caught by the next pass.
                if (store.unparkAll(partner, target) == 0 && lastParked.plus(SETTLE).isBefore(now)) {
                    parkedOn.remove(target, lastParked);
                }
            }
        });
    }
}
