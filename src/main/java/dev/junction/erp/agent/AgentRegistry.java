package dev.junction.erp.agent;

import dev.junction.partner.Partner;
import dev.junction.partner.PartnerRegistry;
import dev.junction.problem.ProblemException;
import dev.junction.problem.ProblemType;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Registrations and heartbeats, and the status every instance reads from the shared database. Registering counts as
 * a heartbeat. Either moves a recorded status other than online back to online, audited once (actor: the agent's
 * token id).
 */
@Component
class AgentRegistry {

    private final PartnerRegistry partners;
    private final AgentStore store;
    private final AgentMetrics metrics;
    private final TransactionTemplate tx;
    private final Clock clock;

    AgentRegistry(PartnerRegistry partners, AgentStore store, AgentMetrics metrics, TransactionTemplate tx, Clock clock) {
        this.partners = partners;
        this.store = store;
        this.metrics = metrics;
        this.tx = tx;
        this.clock = clock;
    }

    /** What ops see of one vendor's agent; {@code pendingOrders} is the hub's side, {@code agentPendingOrders} the agent's. */
    record AgentView(String vendor, String status, Instant lastHeartbeatAt, String agentUrl, String erpType, String version,
                     long pendingOrders, Integer agentPendingOrders) {}

    /**
     * {@code registeredAt} is this registration's time: registering again (a new agent version, a new address) updates
     * the row and starts it over, so ops see when the agent now serving last introduced itself.
     */
    Instant register(String vendor, AgentRequests.Registration registration, String actor) {
        requireVendor(vendor);
        Instant now = now();
        for (int attempt = 1; ; attempt++) {
            try {
                Optional<Transition> moved = tx.execute(s -> {
                    if (store.reregister(vendor, registration, now)) {
                        return backOnline(vendor, now, actor, "registered");
                    }
                    Transition first = new Transition(vendor, AgentStatus.NEVER_SEEN, AgentStatus.ONLINE, now, actor, "registered");
                    store.insert(vendor, registration, now);
                    store.audit(first);
                    return Optional.of(first);
                });
                metrics.heartbeat(vendor, now);
                moved.ifPresent(metrics::transitioned);
                return now;
            } catch (DuplicateKeyException concurrentFirstRegistration) {
                // Another instance inserted the row between our update and insert: the update now finds it.
                if (attempt == 2) {
                    throw concurrentFirstRegistration;
                }
            }
        }
    }

    /** The heartbeat's time; a vendor whose agent never registered is a 409 (the hub knows no agentUrl to call). */
    Instant heartbeat(String vendor, AgentRequests.Heartbeat heartbeat, String actor) {
        requireVendor(vendor);
        Instant now = now();
        Optional<Transition> moved = tx.execute(s -> {
            if (!store.heartbeat(vendor, heartbeat, now)) {
                throw new ProblemException(ProblemType.CONFLICT, "The agent of vendor '" + vendor + "' has not registered: POST /agents/"
                        + vendor + "/register with its agentUrl first, so the hub knows where to send orders");
            }
            return backOnline(vendor, now, actor, "heartbeat");
        });
        metrics.heartbeat(vendor, now);
        moved.ifPresent(metrics::transitioned);
        return now;
    }

    /** In the heartbeat's transaction, which holds the row's lock: no sweep can move the status in between. */
    private Optional<Transition> backOnline(String vendor, Instant now, String actor, String why) {
        AgentStatus recorded = store.find(vendor).map(AgentRow::recorded).orElse(AgentStatus.NEVER_SEEN);
        if (recorded == AgentStatus.ONLINE) {
            return Optional.empty();
        }
        Transition t = new Transition(vendor, recorded, AgentStatus.ONLINE, now, actor, why);
        return store.move(t, null) ? Optional.of(t) : Optional.empty();
    }

    /** Every vendor with an agent section, sorted by vendor, whether or not its agent has registered. */
    List<AgentView> views() {
        Map<String, AgentRow> rows = store.all();
        Instant now = clock.instant();
        return partners.all().stream().filter(p -> p.agent() != null)
                .sorted(Comparator.comparing(Partner::id))
                .map(p -> view(p, rows.get(p.id()), store.pendingOrders(p.id()), now))
                .toList();
    }

    Optional<AgentView> view(String vendor) {
        return partners.find(vendor).filter(p -> p.agent() != null)
                .map(p -> view(p, store.find(vendor).orElse(null), store.pendingOrders(vendor), clock.instant()));
    }

    private static AgentView view(Partner vendor, AgentRow row, long pendingOrders, Instant now) {
        if (row == null) {
            return new AgentView(vendor.id(), AgentStatus.NEVER_SEEN.label(), null, null, null, null, pendingOrders, null);
        }
        AgentStatus status = AgentStatus.at(row.lastHeartbeatAt(), vendor.agent().heartbeat(), now);
        return new AgentView(vendor.id(), status.label(), row.lastHeartbeatAt(), row.agentUrl(), row.erpType(), row.version(),
                pendingOrders, row.agentPendingOrders());
    }

    /** The security rules admit only a vendor's own tokens; this guards a descriptor without an agent section. */
    private void requireVendor(String vendor) {
        partners.find(vendor).map(Partner::agent)
                .orElseThrow(() -> new ProblemException(ProblemType.NOT_FOUND, "No ERP vendor '" + vendor + "'"));
    }

    /** Milliseconds: what the database keeps and the JSON shows are then the same instant. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
