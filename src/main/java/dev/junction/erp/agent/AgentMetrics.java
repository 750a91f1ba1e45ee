package dev.junction.erp.agent;

import dev.junction.partner.Partner;
import dev.junction.partner.PartnerRegistry;
import dev.junction.partner.PartnersReloaded;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Per vendor agent: {@code junction.agent.status} (0 never-seen, 1 offline, 2 degraded, 3 online) and
 * {@code junction.agent.last.heartbeat.age} (seconds; NaN before the first heartbeat), and the counter
 * {@code junction.agent.transitions} tagged vendor, from and to. The gauges compute the status when scraped from the last
 * heartbeat this instance knows of (its own agents' heartbeats at once, other instances' at the next sweep), so a
 * scrape never reads the database.
 */
@Component
class AgentMetrics {

    private static final Logger log = LoggerFactory.getLogger(AgentMetrics.class);

    private final MeterRegistry meters;
    private final PartnerRegistry partners;
    private final Clock clock;
    private final Map<String, Instant> lastHeartbeat = new ConcurrentHashMap<>();

    AgentMetrics(MeterRegistry meters, PartnerRegistry partners, Clock clock) {
        this.meters = meters;
        this.partners = partners;
        this.clock = clock;
        partners.all().forEach(this::gauges);
    }

    /** A vendor added by a reload gets its gauges; thresholds are read at each scrape, so a changed one applies too. */
    @EventListener
    void onReload(PartnersReloaded reloaded) {
        reloaded.current().all().forEach(this::gauges);
    }

    private void gauges(Partner p) {
        if (p.agent() == null) {
            return;
        }
        String vendor = p.id();
        Gauge.builder("junction.agent.status", lastHeartbeat, m -> AgentStatus.at(m.get(vendor), partners.find(vendor)
                        .map(Partner::agent).map(Partner.Agent::heartbeat).orElse(Partner.Heartbeat.DEFAULT), clock.instant()).gauge())
                .description("ERP agent status: 0 never-seen, 1 offline, 2 degraded, 3 online").tag("vendor", vendor).register(meters);
        Gauge.builder("junction.agent.last.heartbeat.age", lastHeartbeat, m -> {
                    Instant last = m.get(vendor);
                    return last == null ? Double.NaN : Duration.between(last, clock.instant()).toMillis() / 1000.0;
                })
                .description("Seconds since the agent's last heartbeat or registration").baseUnit("seconds")
                .tag("vendor", vendor).register(meters);
    }

    void heartbeat(String vendor, Instant at) {
        lastHeartbeat.put(vendor, at);
    }

    /** The registry as the sweep read it: heartbeats other instances took, and rows ops removed. */
    void refresh(Collection<AgentRow> rows) {
        Map<String, Instant> seen = new ConcurrentHashMap<>();
        rows.forEach(r -> seen.put(r.vendor(), r.lastHeartbeatAt()));
        lastHeartbeat.keySet().retainAll(seen.keySet());
        lastHeartbeat.putAll(seen);
    }

    /** Counted and logged after the transition committed, on the one instance that recorded it. */
    void transitioned(Transition t) {
        Counter.builder("junction.agent.transitions").description("ERP agent status transitions, each counted once across instances")
                .tag("vendor", t.vendor()).tag("from", t.from().label()).tag("to", t.to().label())
                .register(meters).increment();
        log.info("ERP agent {}, recorded by {}", t.reason(), t.actor());
    }
}
