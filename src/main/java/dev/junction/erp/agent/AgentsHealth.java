package dev.junction.erp.agent;

import java.util.List;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Lists offline, degraded and never-seen agents for ops ({@code /actuator/health/ops}) and is always UP: a vendor's
 * agent being away is the vendor's trouble, and its orders wait; the hub still accepts traffic, so it must never go
 * DOWN (nor be restarted by a supervisor) for it.
 */
@Component("agents")
class AgentsHealth implements HealthIndicator {

    private final AgentRegistry registry;

    AgentsHealth(AgentRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Health health() {
        try {
            List<AgentRegistry.AgentView> views = registry.views();
            Health.Builder up = Health.up();
            for (AgentStatus status : List.of(AgentStatus.OFFLINE, AgentStatus.DEGRADED, AgentStatus.NEVER_SEEN)) {
                up.withDetail(status.label(), views.stream().filter(v -> v.status().equals(status.label()))
                        .map(AgentRegistry.AgentView::vendor).toList());
            }
            return up.build();
        } catch (RuntimeException e) {
            // The database indicator reports an unreachable database; this one stays UP whatever happens.
            return Health.up().withDetail("error", "agent registry unreadable: " + e.getClass().getSimpleName()).build();
        }
    }
}
