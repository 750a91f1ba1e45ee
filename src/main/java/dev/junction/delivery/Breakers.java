package dev.junction.delivery;

import dev.junction.partner.Partner;
import dev.junction.partner.PartnerRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * One circuit breaker per (partner, target), built from the target's descriptor, with the hub's rules for what counts
 * and who makes the trial calls ({@link TargetBreaker}). Breakers live in each instance's memory: each instance learns a
 * target's state from its own calls.
 */
@Component
public class Breakers {

    private static final Logger log = LoggerFactory.getLogger(Breakers.class);

    /** The target name of a vendor agent's breaker, {@code <vendor>/agent}. */
    static final String AGENT = "agent";

    private final Map<String, TargetBreaker> byTarget = new LinkedHashMap<>();

    Breakers(PartnerRegistry partners, MeterRegistry meters) {
        for (Partner p : partners.all()) {
            for (Partner.Target t : p.targets().values()) {
                register(key(p.id(), t.name()), t.circuitBreaker(), p.id(), t.name(), meters);
            }
            if (p.agent() != null) {
                // One breaker per vendor agent, whichever partner's orders it takes (ERP-AGENTS.md).
                register(key(p.id(), AGENT), Partner.CircuitBreakerSpec.DEFAULT, p.id(), AGENT, meters);
            }
        }
    }

    private void register(String key, Partner.CircuitBreakerSpec spec, String partner, String target, MeterRegistry meters) {
        CircuitBreaker breaker = CircuitBreaker.of(key, CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(spec.slidingWindowSize())
                // Judge the rate as soon as the window is full, not after resilience4j's default of 100 calls.
                .minimumNumberOfCalls(spec.slidingWindowSize())
                .failureRateThreshold(spec.failureRateThreshold())
                .waitDurationInOpenState(spec.waitInOpenState())
                .permittedNumberOfCallsInHalfOpenState(Math.min(3, spec.slidingWindowSize()))
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                // Trials the dispatcher un-parked may be claimed by another instance, or fail before they call:
                // a half-open round that no trial concludes opens again, and the next one gets new trials.
                .maxWaitDurationInHalfOpenState(spec.waitInOpenState())
                .build());
        breaker.getEventPublisher().onStateTransition(e -> log.info("Circuit breaker {}: {}", breaker.getName(),
                e.getStateTransition()));
        byTarget.put(key, new TargetBreaker(key, breaker, spec.waitInOpenState()));
        Gauge.builder("junction.breaker.state", breaker, b -> stateValue(b.getState()))
                .description("0 closed, 1 half-open, 2 open, 3 other")
                .tag("partner", partner).tag("target", target)
                .register(meters);
    }

    /** The breaker of a vendor's agent. */
    TargetBreaker ofAgent(String vendor) {
        return byTarget.get(key(vendor, AGENT));
    }

    /**
     * The breaker messages parked on {@code key} wait for: a target's ({@code <partner>/<target>}), or a vendor agent's
     * for orders held on {@code <partner>/agent:<vendor>}; null when none is declared (any more).
     */
    TargetBreaker forParked(String key) {
        String vendor = AgentProducer.vendorOfHold(key);
        return vendor == null ? byTarget.get(key) : ofAgent(vendor);
    }

    TargetBreaker of(String partner, String target) {
        return byTarget.get(key(partner, target));
    }

    /** By {@code <partner>/<target>}; null for a target no descriptor declares (any more). */
    TargetBreaker of(String key) {
        return byTarget.get(key);
    }

    Collection<TargetBreaker> all() {
        return byTarget.values();
    }

    /** Breaker state by target, e.g. {@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}. */
    public Map<String, String> states(String partner) {
        Map<String, String> states = new LinkedHashMap<>();
        byTarget.forEach((k, b) -> {
            if (k.startsWith(partner + "/")) {
                states.put(k.substring(partner.length() + 1), b.state().name());
            }
        });
        return states;
    }

    static String key(String partner, String target) {
        return partner + "/" + target;
    }

    private static int stateValue(CircuitBreaker.State state) {
        return switch (state) {
            case CLOSED -> 0;
            case HALF_OPEN -> 1;
            case OPEN -> 2;
            default -> 3;
        };
    }
}
