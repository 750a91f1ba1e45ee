package dev.junction.intake;

import dev.junction.MessageMdc;
import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.partner.IdempotencyKeySource;
import dev.junction.partner.Partner;
import dev.junction.partner.PartnerEvent;
import dev.junction.partner.PartnerRegistry;
import dev.junction.problem.Problem;
import dev.junction.problem.ProblemException;
import dev.junction.problem.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * Accepting one webhook: the checks in the order a partner can act on (partner and event, media type, size, JSON,
 * schema, idempotency key), then the durable append. Shared by {@link IntakeFilter} and {@link WebhookController}.
 */
@Component
class WebhookIntake {

    private static final Pattern CORRELATION_ID = Pattern.compile("[A-Za-z0-9._:/-]{1,128}");

    private final PartnerRegistry partners;
    private final GroupCommitJournal journal;

    WebhookIntake(PartnerRegistry partners, GroupCommitJournal journal) {
        this.partners = partners;
        this.journal = journal;
    }

    /** Returns once the message is committed; throws {@link ProblemException} with what the partner must change. */
    AppendResult accept(String partner, String event, HttpServletRequest request) throws IOException {
        Partner p = partners.find(partner).orElseThrow(() -> notFound("Unknown partner '" + partner + "'"));
        PartnerEvent e = p.event(event).orElseThrow(() -> notFound("Partner '" + partner + "' has no event '" + event
                + "'; its events are " + p.events().keySet().stream().sorted().toList()));
        String contentType = PayloadReader.requireJson(request.getContentType());
        byte[] body = PayloadReader.readBounded(request.getContentLengthLong(), request.getInputStream(), p.maxBodyBytes());
        String key;
        if (e.schema().isPresent() || e.idempotencyKey() instanceof IdempotencyKeySource.Json) {
            JsonNode payload = PayloadReader.parse(body);
            e.schema().ifPresent(schema -> WebhookController.validate(schema, payload));
            key = IdempotencyKeys.extract(e.idempotencyKey(), request, payload);
        } else {
            // Nothing reads the tree: check the syntax without building it.
            PayloadReader.check(body);
            key = IdempotencyKeys.extract(e.idempotencyKey(), request, null);
        }
        String header = request.getHeader("X-Correlation-Id");
        String correlation = header != null && CORRELATION_ID.matcher(header).matches() ? header : null;
        NewMessage message = new NewMessage("webhook", partner, event, e.route(), key, correlation, contentType, body,
                SafeHeaders.toJson(request));
        try {
            AppendResult result = journal.append(message);
            MessageMdc.accepted(result.receiptId(), correlation);
            return result;
        } catch (JournalUnavailableException unavailable) {
            throw new ProblemException(Problem.of(ProblemType.JOURNAL_UNAVAILABLE, unavailable.getMessage()), Map.of("Retry-After", "5"));
        }
    }

    static String location(String partner, AppendResult result) {
        return "/webhooks/" + partner + "/receipts/" + result.receiptId();
    }

    private static ProblemException notFound(String detail) {
        return new ProblemException(ProblemType.NOT_FOUND, detail);
    }
}
