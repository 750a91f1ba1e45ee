package dev.junction.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.ValidationMessage;
import dev.junction.problem.Problem;
import dev.junction.problem.ProblemException;
import dev.junction.problem.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** The partner API: accept a webhook durably, and read its receipt. Authentication and rate limits ran before. */
@RestController
class WebhookController {

    private static final int MAX_SCHEMA_ERRORS = 50;

    private final WebhookIntake intake;
    private final Receipts receipts;

    WebhookController(WebhookIntake intake, Receipts receipts) {
        this.intake = intake;
        this.receipts = receipts;
    }

    record Accepted(String receiptId, String status) {}

    /** Normally served by {@link IntakeFilter}; the mapping stays, so Spring MVC answers other methods with a 405. */
    @PostMapping("/webhooks/{partner}/{event}")
    ResponseEntity<Accepted> accept(@PathVariable String partner, @PathVariable String event, HttpServletRequest request)
            throws IOException {
        AppendResult result = intake.accept(partner, event, request);
        ResponseEntity.BodyBuilder accepted = ResponseEntity.accepted().location(URI.create(WebhookIntake.location(partner, result)));
        if (result.replayed()) {
            accepted.header("Idempotent-Replayed", "true");
        }
        return accepted.body(new Accepted(result.receiptId(), "accepted"));
    }

    @GetMapping("/webhooks/{partner}/receipts/{receiptId}")
    Receipt receipt(@PathVariable String partner, @PathVariable String receiptId) {
        return receipts.find(partner, receiptId)
                .orElseThrow(() -> notFound("No receipt '" + receiptId + "' for partner '" + partner + "'"));
    }

    /** Package-private so the intake fuzz test drives exactly this mapping of violations to a 422. */
    static void validate(JsonSchema schema, JsonNode payload) {
        Set<ValidationMessage> violations = schema.validate(payload);
        if (violations.isEmpty()) {
            return;
        }
        List<Problem.FieldError> errors = violations.stream()
                .map(v -> new Problem.FieldError(pointer(v), v.getError()))
                .sorted(Comparator.comparing(Problem.FieldError::pointer).thenComparing(Problem.FieldError::message))
                .limit(MAX_SCHEMA_ERRORS)
                .toList();
        throw new ProblemException(Problem.of(ProblemType.VALIDATION_FAILED,
                violations.size() + " schema violation(s); see errors").withErrors(errors), Map.of());
    }

    private static String pointer(ValidationMessage v) {
        String at = v.getInstanceLocation().toString();
        if ("required".equals(v.getType()) && v.getProperty() != null) {
            at = (at.equals("/") ? "" : at) + "/" + v.getProperty();
        }
        return at.equals("/") ? "" : at;
    }

    private static ProblemException notFound(String detail) {
        return new ProblemException(ProblemType.NOT_FOUND, detail);
    }
}
