package dev.junction.erp.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.junction.delivery.AgentCallbacks;
import dev.junction.intake.PayloadReader;
import dev.junction.problem.Problem;
import dev.junction.problem.ProblemException;
import dev.junction.problem.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Agent request bodies, checked in the order an agent can act on: media type (415), size (413), JSON (400), an object
 * (400), then fields (422 naming each by JSON Pointer). Unknown fields are ignored, so newer agents still talk to
 * this hub.
 */
final class AgentRequests {

    /** Register and heartbeat bodies are a few hundred bytes; the limit only keeps a runaway client from costing memory. */
    static final int MAX_BODY_BYTES = 64 * 1024;
    static final int MAX_TEXT = 64;
    /** The width of erp_agent.agent_url. */
    static final int MAX_URL = 2000;
    /** The width of agent_callback's erp_reference, erp_document_id and error_code. */
    static final int MAX_CALLBACK_TEXT = 255;

    record Registration(String agentUrl, String erpType, String version) {}

    record Heartbeat(String version, Integer pendingOrders) {}

    private AgentRequests() {}

    static Registration registration(HttpServletRequest request) throws IOException {
        JsonNode body = object(request, false);
        List<Problem.FieldError> errors = new ArrayList<>();
        String url = agentUrl(body.get("agentUrl"), errors);
        String erpType = text(body, "erpType", errors);
        String version = text(body, "version", errors);
        reject(errors, "The registration");
        return new Registration(url, erpType, version);
    }

    /** What the agent says of an order: {@code completed} or {@code failed}, with an optional error. */
    static AgentCallbacks.Callback callback(HttpServletRequest request) throws IOException {
        JsonNode body = object(request, false);
        List<Problem.FieldError> errors = new ArrayList<>();
        String receiptId = string(body, "/", "receiptId", true, 36, errors);
        String status = string(body, "/", "status", true, 16, errors);
        if (status != null && !status.equals("completed") && !status.equals("failed")) {
            errors.add(new Problem.FieldError("/status", "must be completed or failed"));
        }
        String reference = string(body, "/", "erpReference", false, MAX_CALLBACK_TEXT, errors);
        String document = string(body, "/", "erpDocumentId", false, MAX_CALLBACK_TEXT, errors);
        JsonNode error = body.path("error");
        String code = null;
        String message = null;
        boolean retryable = false;
        if (!error.isMissingNode() && !error.isNull()) {
            if (!error.isObject()) {
                errors.add(new Problem.FieldError("/error", "must be an object {code, message, retryable}"));
            } else {
                code = string(error, "/error/", "code", false, MAX_CALLBACK_TEXT, errors);
                message = string(error, "/error/", "message", false, 2000, errors);
                JsonNode r = error.get("retryable");
                if (r != null && !r.isNull() && !r.isBoolean()) {
                    errors.add(new Problem.FieldError("/error/retryable", "must be true or false"));
                }
                retryable = r != null && r.asBoolean(false);
            }
        }
        reject(errors, "The callback");
        return new AgentCallbacks.Callback(receiptId, status, reference, document, code, message, retryable);
    }

    /** A string of 1 to {@code max} characters at {@code at + field}; null when absent (a problem if required). */
    private static String string(JsonNode body, String at, String field, boolean required, int max, List<Problem.FieldError> errors) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                errors.add(new Problem.FieldError(at + field, "is required"));
            }
            return null;
        }
        if (!node.isTextual() || node.textValue().isEmpty() || node.textValue().length() > max) {
            errors.add(new Problem.FieldError(at + field, "must be a non-empty string of at most " + max + " characters"));
            return null;
        }
        return node.textValue();
    }

    /** An empty body (Content-Length 0) is a heartbeat with nothing to report. */
    static Heartbeat heartbeat(HttpServletRequest request) throws IOException {
        JsonNode body = object(request, true);
        List<Problem.FieldError> errors = new ArrayList<>();
        String version = text(body, "version", errors);
        Integer pending = null;
        JsonNode p = body.get("pendingOrders");
        if (p != null && !p.isNull()) {
            if (p.isIntegralNumber() && p.canConvertToInt() && p.intValue() >= 0) {
                pending = p.intValue();
            } else {
                errors.add(new Problem.FieldError("/pendingOrders", "must be a non-negative integer (at most " + Integer.MAX_VALUE + ")"));
            }
        }
        reject(errors, "The heartbeat");
        return new Heartbeat(version, pending);
    }

    private static JsonNode object(HttpServletRequest request, boolean emptyIsObject) throws IOException {
        if (emptyIsObject && request.getContentLengthLong() == 0) {
            return JsonNodeFactory.instance.objectNode();
        }
        PayloadReader.requireJson(request.getContentType());
        byte[] bytes = PayloadReader.readBounded(request.getContentLengthLong(), request.getInputStream(), MAX_BODY_BYTES,
                "the agent API's limit");
        JsonNode body = PayloadReader.parse(bytes);
        if (!body.isObject()) {
            throw new ProblemException(ProblemType.MALFORMED_REQUEST, "The body must be a JSON object, not " + body.getNodeType().name()
                    .toLowerCase(Locale.ROOT));
        }
        return body;
    }

    private static String agentUrl(JsonNode node, List<Problem.FieldError> errors) {
        if (node == null || node.isNull()) {
            errors.add(new Problem.FieldError("/agentUrl", "required: the absolute http(s) URL where the hub reaches the agent"));
            return null;
        }
        if (!node.isTextual()) {
            errors.add(new Problem.FieldError("/agentUrl", "must be a string"));
            return null;
        }
        String url = node.textValue();
        if (url.length() > MAX_URL) {
            errors.add(new Problem.FieldError("/agentUrl", "must be at most " + MAX_URL + " characters"));
            return null;
        }
        if (!absoluteHttp(url)) {
            errors.add(new Problem.FieldError("/agentUrl", "must be an absolute http or https URL with a host, e.g. https://agent.example.com:8443"));
            return null;
        }
        return url;
    }

    private static boolean absoluteHttp(String url) {
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null && !uri.getHost().isEmpty();
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** An optional string of at most {@link #MAX_TEXT} characters; null when absent or null. */
    private static String text(JsonNode body, String field, List<Problem.FieldError> errors) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual() || node.textValue().length() > MAX_TEXT) {
            errors.add(new Problem.FieldError("/" + field, "must be a string of at most " + MAX_TEXT + " characters"));
            return null;
        }
        return node.textValue();
    }

    private static void reject(List<Problem.FieldError> errors, String what) {
        if (!errors.isEmpty()) {
            throw new ProblemException(Problem.of(ProblemType.VALIDATION_FAILED, what + " has " + errors.size()
                    + " invalid field(s); see errors").withErrors(errors), Map.of());
        }
    }
}
