package dev.junction.erp.agent;

import dev.junction.delivery.AgentDirectory;
import dev.junction.partner.Partner;
import dev.junction.partner.PartnerRegistry;
import java.time.Clock;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Delivery's view of the agents: the registered URL and whether the agent may be called now, from the database row
 * and the vendor's thresholds at this moment (one primary-key read per order), so every instance agrees.
 */
@Component
class AgentLinks implements AgentDirectory {

    private final AgentStore store;
    private final PartnerRegistry partners;
    private final Clock clock;

    AgentLinks(AgentStore store, PartnerRegistry partners, Clock clock) {
        this.store = store;
        this.partners = partners;
        this.clock = clock;
    }

    @Override
    public Optional<Agent> agent(String vendor) {
        Partner.Agent spec = partners.find(vendor).map(Partner::agent).orElse(null);
        if (spec == null) {
            return Optional.empty();
        }
        return store.find(vendor).map(row -> {
            AgentStatus status = AgentStatus.at(row.lastHeartbeatAt(), spec.heartbeat(), clock.instant());
            return new Agent(vendor, row.agentUrl(), status == AgentStatus.ONLINE || status == AgentStatus.DEGRADED, status.label());
        });
    }
}
