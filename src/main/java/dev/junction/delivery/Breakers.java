package dev.junction.delivery;

import dev.junction.partner.Partner;
import dev.junction.partner.PartnerRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.stereotype.Component;

/** One resilience4j circuit breaker per (partner, target), built from the target's descriptor. */
@Component
public class Breakers {

    private final Map<String, CircuitBreaker> byTarget = new LinkedHashMap<>();

    Breakers(PartnerRegistry partners, MeterRegistry meters) {
        for (Partner p : partners.all()) {
            for (Partner.Target t : p.targets().values()) {
                Partner.CircuitBreakerSpec spec = t.circuitBreaker();
                CircuitBreaker breaker = CircuitBreaker.of(key(p.id(), t.name()), CircuitBreakerConfig.custom()
                        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                        .slidingWindowSize(spec.slidingWindowSize())
                        // Judge the rate as soon as the window is full, not after resilience4j's default of 100 calls.
                        .minimumNumberOfCalls(spec.slidingWindowSize())
                        .failureRateThreshold(spec.failureRateThreshold())
                        .waitDurationInOpenState(spec.waitInOpenState())
                        .permittedNumberOfCallsInHalfOpenState(Math.min(3, spec.slidingWindowSize()))
                        .automaticTransitionFromOpenToHalfOpenEnabled(true)
                        .build());
                byTarget.put(key(p.id(), t.name()), breaker);
                Gauge.builder("junction.breaker.state", breaker, b -> stateValue(b.getState()))
                        .description("0 closed, 1 half-open, 2 open, 3 other")
                        .tag("partner", p.id()).tag("target", t.name())
                        .register(meters);
            }
        }
    }

    CircuitBreaker of(String partner, String target) {
        return byTarget.get(key(partner, target));
    }

    /** Breaker state by target, e.g. {@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}. */
    public Map<String, String> states(String partner) {
        Map<String, String> states = new LinkedHashMap<>();
        byTarget.forEach((k, b) -> {
            if (k.startsWith(partner + "/")) {
                states.put(k.substring(partner.length() + 1), b.getState().name());
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
