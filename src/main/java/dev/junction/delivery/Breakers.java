package dev.junction.delivery;

import dev.junction.partner.Partner;
import dev.junction.partner.PartnerRegistry;
import dev.junction.partner.PartnersReloaded;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
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

    /** A breaker, the spec it was built from and its gauge (removed with it). */
    private record Registered(TargetBreaker breaker, Partner.CircuitBreakerSpec spec, Gauge gauge) {}

    private final Map<String, Registered> byTarget = new ConcurrentHashMap<>();
    private final MeterRegistry meters;

    Breakers(PartnerRegistry partners, MeterRegistry meters) {
        this.meters = meters;
        declared(partners.all()).forEach((key, spec) -> register(key, spec));
    }

    /** Every breaker the configuration declares, by {@code <partner>/<target>}, with its spec. */
    private static Map<String, Partner.CircuitBreakerSpec> declared(Collection<Partner> partners) {
        Map<String, Partner.CircuitBreakerSpec> specs = new LinkedHashMap<>();
        for (Partner p : partners) {
            for (Partner.Target t : p.targets().values()) {
                specs.put(key(p.id(), t.name()), t.circuitBreaker());
            }
            if (p.agent() != null) {
                // One breaker per vendor agent, whichever partner's orders it takes (ERP-AGENTS.md).
                specs.put(key(p.id(), AGENT), Partner.CircuitBreakerSpec.DEFAULT);
            }
        }
        return specs;
    }

    /**
     * A target whose breaker spec is unchanged keeps its breaker and state (an open breaker stays open); a changed spec
     * gets a new, closed breaker; a removed target's breaker goes (messages parked on it are then unparked by the sweep).
     */
    @EventListener
    void onReload(PartnersReloaded reloaded) {
        Map<String, Partner.CircuitBreakerSpec> specs = declared(reloaded.current().all());
        for (String key : List.copyOf(byTarget.keySet())) {
            Registered old = byTarget.get(key);
            if (!old.spec().equals(specs.get(key))) {
                meters.remove(old.gauge());
                byTarget.remove(key);
            }
        }
        specs.forEach((key, spec) -> {
            if (!byTarget.containsKey(key)) {
                register(key, spec);
            }
        });
    }

    private void register(String key, Partner.CircuitBreakerSpec spec) {
        String partner = key.substring(0, key.indexOf('/'));
        String target = key.substring(key.indexOf('/') + 1);
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
        Gauge gauge = Gauge.builder("junction.breaker.state", breaker, b -> stateValue(b.getState()))
                .description("0 closed, 1 half-open, 2 open, 3 other")
                .tag("partner", partner).tag("target", target)
                .register(meters);
        byTarget.put(key, new Registered(new TargetBreaker(key, breaker, spec.waitInOpenState()), spec, gauge));
    }

    /** The breaker of a vendor's agent. */
    TargetBreaker ofAgent(String vendor) {
        return get(key(vendor, AGENT));
    }

    /**
     * The breaker messages parked on {@code key} wait for: a target's ({@code <partner>/<target>}), or a vendor agent's
     * for orders held on {@code <partner>/agent:<vendor>}; null when none is declared (any more).
     */
    TargetBreaker forParked(String key) {
        String vendor = AgentProducer.vendorOfHold(key);
        return vendor == null ? get(key) : ofAgent(vendor);
    }

    TargetBreaker of(String partner, String target) {
        return get(key(partner, target));
    }

    /** By {@code <partner>/<target>}; null for a target no descriptor declares (any more). */
    TargetBreaker of(String key) {
        return get(key);
    }

    private TargetBreaker get(String key) {
        Registered r = byTarget.get(key);
        return r == null ? null : r.breaker();
    }

    Collection<TargetBreaker> all() {
        return byTarget.values().stream().map(Registered::breaker).toList();
    }

    /** Breaker state by target, e.g. {@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}. */
    public Map<String, String> states(String partner) {
        Map<String, String> states = new LinkedHashMap<>();
        byTarget.forEach((k, b) -> {
            if (k.startsWith(partner + "/")) {
                states.put(k.substring(partner.length() + 1), b.breaker().state().name());
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
