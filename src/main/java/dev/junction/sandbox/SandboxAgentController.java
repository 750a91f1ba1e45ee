package dev.junction.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.JunctionProperties;
import dev.junction.intake.PayloadReader;
import dev.junction.problem.ProblemException;
import dev.junction.problem.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * What the sandbox ERP agent serves to the hub, under its {@code agentUrl} ({@code /sandbox/agent/{vendor}}): orders
 * (ERP-AGENTS.md, "Orders to the agent"), the reconcile endpoints over its demo data ("Reconciliation"), and a drift
 * switch for demos. All answer 404 unless the sandbox agent runs, and for any vendor but its own.
 *
 * <p>{@code /sandbox/**} is public: the reconcile endpoints show only demo data, orders check the Bearer secret when
 * one is configured, and drift takes an admin ops key (security.SecurityConfig).
 */
@RestController
class SandboxAgentController {

    /** Order bodies are small JSON documents; the limit keeps a stranger from costing memory. */
    static final int MAX_ORDER_BYTES = 256 * 1024;
    static final int MAX_PAGE = 1000;

    private final SandboxAgent agent;
    private final JunctionProperties.SandboxAgent settings;

    SandboxAgentController(SandboxAgent agent, JunctionProperties properties) {
        this.agent = agent;
        this.settings = properties.sandbox().agent();
    }

    /** {@code orders}, or any other one-segment path a route names ({@code to: agent:fresh-foods/<path>}). */
    @PostMapping({"/sandbox/agent/{vendor}/orders", "/sandbox/agent/{vendor}/{path}"})
    ResponseEntity<Map<String, Object>> order(@PathVariable String vendor, HttpServletRequest request) throws IOException {
        requireRunning(vendor);
        requireSecret(request.getHeader("Authorization"));
        String receiptId = request.getHeader("Idempotency-Key");
        if (receiptId == null || receiptId.isBlank() || receiptId.length() > 200) {
            throw new ProblemException(ProblemType.MALFORMED_REQUEST, "An order needs an Idempotency-Key header (the hub's receipt id), at most 200 characters");
        }
        PayloadReader.requireJson(request.getContentType());
        byte[] body = PayloadReader.readBounded(request.getContentLengthLong(), request.getInputStream(), MAX_ORDER_BYTES,
                "the sandbox agent's limit");
        JsonNode payload = PayloadReader.parse(body);
        agent.accept(receiptId.trim(), payload);
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(Map.of("accepted", true));
    }

    @GetMapping("/sandbox/agent/{vendor}/reconcile/{kind}/checksum")
    DemoCatalog.Checksum checksum(@PathVariable String vendor, @PathVariable String kind, @RequestParam(required = false) String from,
                                  @RequestParam(required = false) String to) {
        requireRunning(vendor);
        return agent.catalog().checksum(kind(kind), from, to);
    }

    record Records(List<ObjectNode> records, String next) {}

    @GetMapping("/sandbox/agent/{vendor}/reconcile/{kind}/records")
    Records records(@PathVariable String vendor, @PathVariable String kind, @RequestParam(required = false) String from,
                    @RequestParam(required = false) String to, @RequestParam(defaultValue = "100") int limit) {
        requireRunning(vendor);
        if (limit < 1 || limit > MAX_PAGE) {
            throw new ProblemException(ProblemType.MALFORMED_REQUEST, "limit must be between 1 and " + MAX_PAGE);
        }
        DemoCatalog.Page page = agent.catalog().records(kind(kind), from, to, limit);
        return new Records(page.records(), page.next());
    }

    /** Demo drift: one item's label changes in the agent's copy only (optional {@code ?erpId=}, else the first item). */
    @PostMapping("/sandbox/agent/{vendor}/drift")
    DemoCatalog.Drifted drift(@PathVariable String vendor, @RequestParam(required = false) String erpId) {
        requireRunning(vendor);
        return agent.catalog().drift(erpId).orElseThrow(() -> new ProblemException(ProblemType.NOT_FOUND,
                "The sandbox agent has no item '" + erpId + "'"));
    }

    private void requireRunning(String vendor) {
        if (!agent.running() || !settings.vendor().equals(vendor)) {
            throw new ProblemException(ProblemType.NOT_FOUND, "No sandbox agent runs for vendor '" + vendor
                    + "' (junction.sandbox.agent.enabled, .vendor, .token)");
        }
    }

    /** Unset, any Bearer (or none) passes; set, exactly {@code Bearer <secret>}, compared in constant time. */
    private void requireSecret(String authorization) {
        String secret = settings.secret();
        if (secret == null || secret.isBlank()) {
            return;
        }
        byte[] expected = ("Bearer " + secret).getBytes(StandardCharsets.UTF_8);
        byte[] presented = authorization == null ? new byte[0] : authorization.trim().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(expected, presented)) {
            throw new ProblemException(ProblemType.UNAUTHORIZED, "Orders to the sandbox agent need Authorization: Bearer <the vendor's agent.orders.secret>");
        }
    }

    private static DemoCatalog.Kind kind(String kind) {
        return DemoCatalog.Kind.of(kind).orElseThrow(() -> new ProblemException(ProblemType.NOT_FOUND,
                "Unknown kind '" + kind + "': items, warehouses or stock"));
    }
}
