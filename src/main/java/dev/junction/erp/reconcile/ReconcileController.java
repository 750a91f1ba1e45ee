package dev.junction.erp.reconcile;

import dev.junction.partner.Partner;
import dev.junction.partner.PartnerRegistry;
import dev.junction.problem.ProblemException;
import dev.junction.problem.ProblemType;
import dev.junction.security.Caller;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Ops start a reconciliation ({@code admin}, by the security rules for non-GET {@code /ops/**}) and list the runs.
 * Starting is audited like every ops action.
 */
@RestController
class ReconcileController {

    private static final int MAX_LIST = 1000;

    private final PartnerRegistry partners;
    private final Reconciliations reconciliations;
    private final RunStore store;
    private final NamedParameterJdbcTemplate jdbc;
    private final Clock clock;

    ReconcileController(PartnerRegistry partners, Reconciliations reconciliations, RunStore store, NamedParameterJdbcTemplate jdbc,
                        Clock clock) {
        this.partners = partners;
        this.reconciliations = reconciliations;
        this.store = store;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @PostMapping("/ops/erp/{vendor}/reconcile")
    ResponseEntity<Map<String, String>> reconcile(@PathVariable String vendor, HttpServletRequest request) {
        Partner partner = vendor(vendor);
        RunStore.Agent agent = store.agent(vendor).orElseThrow(() -> new ProblemException(ProblemType.CONFLICT,
                "The agent of vendor '" + vendor + "' has never registered: the hub knows no agentUrl to reconcile with"));
        String runId = reconciliations.start(partner, agent.agentUrl(), "ops").orElseThrow(() -> new ProblemException(
                ProblemType.CONFLICT, "A reconciliation of vendor '" + vendor + "' is in progress; see GET /ops/erp/" + vendor
                + "/reconciliations"));
        String actor = Caller.of(request).map(Caller::keyId).orElse("unknown");
        jdbc.update("INSERT INTO ops_audit (at, actor, action, receipt_id, reason) VALUES (:at, :actor, 'reconcile', NULL, :reason)",
                new MapSqlParameterSource("at", java.time.OffsetDateTime.ofInstant(clock.instant(), java.time.ZoneOffset.UTC))
                        .addValue("actor", actor).addValue("reason", "vendor " + vendor + ", run " + runId));
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(Map.of("runId", runId));
    }

    @GetMapping("/ops/erp/{vendor}/reconciliations")
    List<RunStore.RunRow> reconciliations(@PathVariable String vendor, @RequestParam(defaultValue = "100") int limit) {
        vendor(vendor);
        if (limit < 1 || limit > MAX_LIST) {
            throw new ProblemException(ProblemType.MALFORMED_REQUEST, "limit must be between 1 and " + MAX_LIST);
        }
        return store.list(vendor, limit);
    }

    private Partner vendor(String vendor) {
        return partners.find(vendor).filter(p -> p.agent() != null)
                .orElseThrow(() -> new ProblemException(ProblemType.NOT_FOUND, "No vendor '" + vendor + "' with an agent"));
    }
}
