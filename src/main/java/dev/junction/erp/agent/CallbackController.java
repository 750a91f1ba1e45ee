package dev.junction.erp.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.delivery.AgentCallbacks;
import dev.junction.intake.PayloadReader;
import dev.junction.problem.Problem;
import dev.junction.problem.ProblemException;
import dev.junction.problem.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /agents/{vendor}/callbacks}: the agent says what the ERP did with an order (ERP-AGENTS.md). {@code 200}
 * when taken (applied, a repeat, or kept until the hub records the agent's 2xx), {@code 404} for a receipt that is
 * not an order sent to this vendor's agent, {@code 409} when it contradicts the order's final state.
 */
@RestController
class CallbackController {

    private static final int MAX_BODY_BYTES = 64 * 1024;
    private static final int MAX_TEXT = 255;

    private final AgentCallbacks callbacks;

    CallbackController(AgentCallbacks callbacks) {
        this.callbacks = callbacks;
    }

    record Taken(String receiptId, String outcome) {}

    @PostMapping("/agents/{vendor}/callbacks")
    Taken callback(@PathVariable String vendor, HttpServletRequest request) throws IOException {
        AgentCallbacks.Callback callback = read(request);
        AgentCallbacks.Answer answer = callbacks.accept(vendor, callback);
        return switch (answer) {
            case UNKNOWN -> throw new ProblemException(ProblemType.NOT_FOUND, "No order " + callback.receiptId()
                    + " was sent to the agent of '" + vendor + "'");
            case CONTRADICTION -> throw new ProblemException(ProblemType.CONFLICT, "Order " + callback.receiptId()
                    + " is already settled differently (a callback with another status or erpReference, or the order was given up after its attempts); nothing changed");
            case APPLIED -> new Taken(callback.receiptId(), "applied");
            case REPEAT -> new Taken(callback.receiptId(), "repeat");
            case KEPT -> new Taken(callback.receiptId(), "kept");
        };
    }

    private static AgentCallbacks.Callback read(HttpServletRequest request) throws IOException {
        PayloadReader.requireJson(request.getContentType());
        JsonNode body = PayloadReader.parse(PayloadReader.readBounded(request.getContentLengthLong(), request.getInputStream(),
                MAX_BODY_BYTES, "the agent API's limit"));
        if (!body.isObject()) {
            throw new ProblemException(ProblemType.MALFORMED_REQUEST, "The body must be a JSON object");
        }
        List<Problem.FieldError> errors = new ArrayList<>();
        String receiptId = text(body, "receiptId", true, 36, errors);
        String status = text(body, "status", true, 16, errors);
        if (status != null && !status.equals("completed") && !status.equals("failed")) {
            errors.add(new Problem.FieldError("/status", "must be completed or failed"));
        }
        String reference = text(body, "erpReference", false, MAX_TEXT, errors);
        String document = text(body, "erpDocumentId", false, MAX_TEXT, errors);
        JsonNode error = body.path("error");
        String code = null;
        String message = null;
        boolean retryable = false;
        if (!error.isMissingNode() && !error.isNull()) {
            if (!error.isObject()) {
                errors.add(new Problem.FieldError("/error", "must be an object {code, message, retryable}"));
            } else {
                code = text(error, "/error/", "code", false, MAX_TEXT, errors);
                message = text(error, "/error/", "message", false, 2000, errors);
                JsonNode r = error.get("retryable");
                if (r != null && !r.isNull() && !r.isBoolean()) {
                    errors.add(new Problem.FieldError("/error/retryable", "must be true or false"));
                }
                retryable = r != null && r.asBoolean(false);
            }
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(Problem.of(ProblemType.VALIDATION_FAILED, "The callback has " + errors.size()
                    + " invalid field(s); see errors").withErrors(errors), Map.of());
        }
        return new AgentCallbacks.Callback(receiptId, status, reference, document, code, message, retryable);
    }

    private static String text(JsonNode body, String field, boolean required, int max, List<Problem.FieldError> errors) {
        return text(body, "/", field, required, max, errors);
    }

    private static String text(JsonNode body, String at, String field, boolean required, int max, List<Problem.FieldError> errors) {
        JsonNode node = body.get(field);
        String pointer = at + field;
        if (node == null || node.isNull()) {
            if (required) {
                errors.add(new Problem.FieldError(pointer, "is required"));
            }
            return null;
        }
        if (!node.isTextual() || node.textValue().isEmpty() || node.textValue().length() > max) {
            errors.add(new Problem.FieldError(pointer, "must be a non-empty string of at most " + max + " characters"));
            return null;
        }
        return node.textValue();
    }
}
