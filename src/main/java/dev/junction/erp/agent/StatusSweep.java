package dev.junction.erp.agent;

import dev.junction.partner.Partner;
import dev.junction.partner.PartnerRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Records agents going silent (online -> degraded -> offline) every {@code junction.erp.status-sweep}. Every instance
 * sweeps; the compare-and-set in {@link AgentStore#move} lets exactly one of them record, audit and count each
 * transition. Coming back online is recorded by the heartbeat itself.
 */
@Component
class StatusSweep {

    private static final Logger log = LoggerFactory.getLogger(StatusSweep.class);
    static final String ACTOR = "hub";

    private final PartnerRegistry partners;
    private final AgentStore store;
    private final AgentMetrics metrics;
    private final TransactionTemplate tx;
    private final Clock clock;

    StatusSweep(PartnerRegistry partners, AgentStore store, AgentMetrics metrics, TransactionTemplate tx, Clock clock) {
        this.partners = partners;
        this.store = store;
        this.metrics = metrics;
        this.tx = tx;
        this.clock = clock;
    }

    @Scheduled(fixedDelayString = "${junction.erp.status-sweep:15s}")
    void scheduled() {
        try {
            sweep();
        } catch (RuntimeException e) {
            // The database may be briefly unavailable; the statuses ops read are computed anyway, and the next sweep records.
            log.warn("ERP agent status sweep failed: {}", e.toString());
        }
    }

    /** How many transitions this call recorded. */
    int sweep() {
        Instant now = clock.instant();
        Map<String, AgentRow> rows = store.all();
        metrics.refresh(rows.values());
        int recorded = 0;
        for (Partner vendor : partners.all()) {
            AgentRow row = rows.get(vendor.id());
            if (vendor.agent() == null || row == null) {
                continue;
            }
            AgentStatus live = AgentStatus.at(row.lastHeartbeatAt(), vendor.agent().heartbeat(), now);
            if (live == row.recorded()) {
                continue;
            }
            String silence = AgentStatus.human(Duration.between(row.lastHeartbeatAt(), now));
            Transition t = new Transition(vendor.id(), row.recorded(), live, now, ACTOR,
                    live == AgentStatus.ONLINE ? "heartbeat " + silence + " ago" : "no heartbeat for " + silence);
            if (Boolean.TRUE.equals(tx.execute(s -> store.move(t, row.lastHeartbeatAt())))) {
                metrics.transitioned(t);
                recorded++;
            }
        }
        return recorded;
    }
}
