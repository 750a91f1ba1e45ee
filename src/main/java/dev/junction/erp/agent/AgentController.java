package dev.junction.erp.agent;

import dev.junction.security.Caller;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.time.Instant;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** The agent API's registry half (ERP-AGENTS.md): only the vendor's own agent tokens get here (security.Rules). */
@RestController
class AgentController {

    private final AgentRegistry registry;

    AgentController(AgentRegistry registry) {
        this.registry = registry;
    }

    record Registered(String vendor, String status, Instant registeredAt) {}

    record HeartbeatAck(String status, Instant serverTime) {}

    @PostMapping("/agents/{vendor}/register")
    Registered register(@PathVariable String vendor, HttpServletRequest request) throws IOException {
        Instant at = registry.register(vendor, AgentRequests.registration(request), tokenId(request));
        return new Registered(vendor, AgentStatus.ONLINE.label(), at);
    }

    @PostMapping("/agents/{vendor}/heartbeat")
    HeartbeatAck heartbeat(@PathVariable String vendor, HttpServletRequest request) throws IOException {
        Instant at = registry.heartbeat(vendor, AgentRequests.heartbeat(request), tokenId(request));
        return new HeartbeatAck(AgentStatus.ONLINE.label(), at);
    }

    /** The audit's actor: the token's id, never the token. */
    private static String tokenId(HttpServletRequest request) {
        return Caller.of(request).map(Caller::keyId).orElse("unknown");
    }
}
