package dev.junction.erp.agent;

import dev.junction.problem.ProblemException;
import dev.junction.problem.ProblemType;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** Ops' view of the vendors' agents: status computed from the shared database, so every instance answers alike. */
@RestController
class AgentsOpsController {

    private final AgentRegistry registry;

    AgentsOpsController(AgentRegistry registry) {
        this.registry = registry;
    }

    @GetMapping("/ops/agents")
    List<AgentRegistry.AgentView> agents() {
        return registry.views();
    }

    @GetMapping("/ops/agents/{vendor}")
    AgentRegistry.AgentView agent(@PathVariable String vendor) {
        return registry.view(vendor)
                .orElseThrow(() -> new ProblemException(ProblemType.NOT_FOUND, "No ERP vendor '" + vendor + "' (no descriptor with an agent section)"));
    }
}
