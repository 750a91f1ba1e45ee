package dev.junction.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.ValidationMessage;
import dev.junction.partner.Partner;
import dev.junction.partner.PartnerEvent;
import dev.junction.partner.PartnerRegistry;
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
import java.util.regex.Pattern;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** The partner API: accept a webhook durably, and read its receipt. Authentication and rate limits ran before. */
@RestController
class WebhookController {

    private static final int MAX_SCHEMA_ERRORS = 50;
    private static final Pattern CORRELATION_ID = Pattern.compile("[A-Za-z0-9._:/-]{1,128}");

    private final PartnerRegistry partners;
    private final GroupCommitJournal journal;
    private final Receipts receipts;

    WebhookController(PartnerRegistry partners, GroupCommitJournal journal, Receipts receipts) {
        this.partners = partners;
        this.journal = journal;
        this.receipts = receipts;
    }

    record Accepted(String receiptId, String status) {}

    @PostMapping("/webhooks/{partner}/{event}")
    ResponseEntity<Accepted> accept(@PathVariable String partner, @PathVariable String event, HttpServletRequest request)
            throws IOException {
        Partner p = partners.find(partner).orElseThrow(() -> notFound("Unknown partner '" + partner + "'"));
        PartnerEvent e = p.event(event).orElseThrow(() -> notFound("Partner '" + partner + "' has no event '" + event
                + "'; its events are " + p.events().keySet().stream().sorted().toList()));
        String contentType = PayloadReader.requireJson(request.getContentType());
        byte[] body = PayloadReader.readBounded(request.getContentLengthLong(), request.getInputStream(), p.maxBodyBytes());
        JsonNode payload = PayloadReader.parse(body);
        e.schema().ifPresent(schema -> validate(schema, payload));
        String key = IdempotencyKeys.extract(e.idempotencyKey(), request, payload);
        String correlation = request.getHeader("X-Correlation-Id");
        NewMessage message = new NewMessage("webhook", partner, event, e.route(), key,
                correlation != null && CORRELATION_ID.matcher(correlation).matches() ? correlation : null,
                contentType, body, SafeHeaders.toJson(request));
        AppendResult result;
        try {
            result = journal.append(message);
        } catch (JournalUnavailableException unavailable) {
            throw new ProblemException(Problem.of(ProblemType.JOURNAL_UNAVAILABLE, unavailable.getMessage()), Map.of("Retry-After", "5"));
        }
        ResponseEntity.BodyBuilder accepted = ResponseEntity.accepted()
                .location(URI.create("/webhooks/" + partner + "/receipts/" + result.receiptId()));
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
