package dev.junction.erp.reconcile;

import dev.junction.partner.Partner;
import dev.junction.partner.PartnerRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Every {@code junction.erp.reconcile.tick}, starts the runs that are due: a registered agent's vendor whose last run
 * (or, before the first, the agent's registration: it has just pushed everything) is {@code agent.reconciliation.every}
 * old. An online or degraded agent is reconciled; an offline one is recorded as skipped, once per period. Every
 * instance ticks; the lease lets one of them run each vendor.
 */
@Component
class ReconcileSchedule {

    private static final Logger log = LoggerFactory.getLogger(ReconcileSchedule.class);

    private final PartnerRegistry partners;
    private final RunStore store;
    private final Reconciliations reconciliations;
    private final Clock clock;

    ReconcileSchedule(PartnerRegistry partners, RunStore store, Reconciliations reconciliations, Clock clock) {
        this.partners = partners;
        this.store = store;
        this.reconciliations = reconciliations;
        this.clock = clock;
    }

    @Scheduled(fixedDelayString = "${junction.erp.reconcile.tick:1m}", initialDelayString = "${junction.erp.reconcile.tick:1m}")
    void tick() {
        for (Partner vendor : partners.all()) {
            if (vendor.agent() == null) {
                continue;
            }
            try {
                due(vendor);
            } catch (RuntimeException e) {
                log.warn("Reconciliation schedule of {} failed: {}", vendor.id(), e.toString());
            }
        }
    }

    /** Whether a run (or a skip) was started for the vendor. */
    boolean due(Partner vendor) {
        RunStore.Agent agent = store.agent(vendor.id()).orElse(null);
        if (agent == null) {
            return false;
        }
        Instant now = clock.instant();
        Instant last = store.lastStarted(vendor.id()).orElse(agent.registeredAt());
        if (now.isBefore(last.plus(vendor.agent().reconcileEvery()))) {
            return false;
        }
        Duration silence = Duration.between(agent.lastHeartbeatAt(), now);
        if (silence.compareTo(vendor.agent().heartbeat().offlineAfter()) >= 0) {
            reconciliations.skip(vendor, "the agent is offline (no heartbeat for " + silence.toSeconds() + "s)");
            return true;
        }
        return reconciliations.start(vendor, agent.agentUrl(), "schedule").isPresent();
    }
}
