package dev.junction.delivery;

import dev.junction.intake.AcceptedMessage;
import dev.junction.intake.Receipts;
import dev.junction.partner.Partner;
import dev.junction.partner.PartnerRegistry;
import dev.junction.partner.PartnersReloaded;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Per partner and event: accepted, delivered, retried and dead counters and the accept-to-delivery latency; per partner:
 * dead-letter depth and the age of the oldest pending message (the watchdog), refreshed by the poller.
 */
@Component
class DeliveryMetrics {

    private final MeterRegistry meters;
    private final Receipts receipts;
    private final Map<String, Long> deadDepth = new ConcurrentHashMap<>();
    private final Map<String, Double> oldestPendingSeconds = new ConcurrentHashMap<>();
    private volatile Instant lastRefresh = Instant.EPOCH;

    DeliveryMetrics(MeterRegistry meters, Receipts receipts, PartnerRegistry partners) {
        this.meters = meters;
        this.receipts = receipts;
        partners.all().forEach(this::gauges);
    }

    /** A partner added by a reload gets its gauges (registering an existing gauge again is a no-op). */
    @EventListener
    void onReload(PartnersReloaded reloaded) {
        reloaded.current().all().forEach(this::gauges);
    }

    private void gauges(Partner p) {
        Gauge.builder("junction.deadletters.depth", deadDepth, d -> d.getOrDefault(p.id(), 0L))
                .description("Dead letters waiting for ops").tag("partner", p.id()).register(meters);
        Gauge.builder("junction.pending.oldest.age", oldestPendingSeconds, d -> d.getOrDefault(p.id(), 0.0))
                .description("Seconds since the oldest undelivered message was accepted").baseUnit("seconds")
                .tag("partner", p.id()).register(meters);
    }

    void accepted(String partner, String event) {
        counter("junction.messages.accepted", partner, event).increment();
    }

    void delivered(AcceptedMessage m, Instant now) {
        counter("junction.messages.delivered", m.partner(), m.event()).increment();
        Timer.builder("junction.delivery.latency").description("From the 202 to the route's completion")
                .tag("partner", m.partner()).tag("event", m.event())
                .publishPercentileHistogram()
                .register(meters)
                .record(Duration.between(m.receivedAt(), now));
    }

    void retried(AcceptedMessage m) {
        counter("junction.messages.retried", m.partner(), m.event()).increment();
    }

    /** A dispatch the target's open breaker refused: no call, no attempt; the message waits parked. */
    void parked(AcceptedMessage m) {
        counter("junction.messages.parked", m.partner(), m.event()).increment();
    }

    /** An ERP agent took an order; it now awaits the agent's callback, holding no delivery slot. */
    void awaiting(AcceptedMessage m) {
        counter("junction.messages.awaiting", m.partner(), m.event()).increment();
    }

    /** An agent's callback (or its absence) decided an order: completed, failed-retryable, failed, timeout. */
    void callback(String partner, String event, String outcome) {
        Counter.builder("junction.agent.callbacks").tag("partner", partner).tag("event", event).tag("outcome", outcome)
                .register(meters).increment();
    }

    void dead(AcceptedMessage m) {
        counter("junction.messages.dead", m.partner(), m.event()).increment();
    }

    /** Recomputes the gauges at most every five seconds. */
    void refresh(Instant now) {
        if (Duration.between(lastRefresh, now).toSeconds() < 5) {
            return;
        }
        lastRefresh = now;
        // Only the dead rows: counting every status would read the whole journal every few seconds.
        Map<String, Long> dead = receipts.countsByPartner("dead");
        Map<String, Double> oldest = new HashMap<>();
        receipts.oldestPendingByPartner().forEach((partner, first) ->
                oldest.put(partner, Duration.between(first, now).toMillis() / 1000.0));
        deadDepth.keySet().retainAll(dead.keySet());
        deadDepth.putAll(dead);
        oldestPendingSeconds.keySet().retainAll(oldest.keySet());
        oldestPendingSeconds.putAll(oldest);
    }

    private Counter counter(String name, String partner, String event) {
        return Counter.builder(name).tag("partner", partner).tag("event", event).register(meters);
    }
}
