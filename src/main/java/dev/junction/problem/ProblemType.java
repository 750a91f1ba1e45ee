package dev.junction.problem;

/** The problem types Junction answers with; each slug is documented in openapi/junction-api.yaml. */
public enum ProblemType {
    MALFORMED_REQUEST(400, "malformed-request", "Malformed request"),
    UNAUTHORIZED(401, "unauthorized", "Missing, unknown or expired API key"),
    INVALID_SIGNATURE(401, "invalid-signature", "Missing or invalid webhook signature"),
    FORBIDDEN(403, "forbidden", "API key not allowed here"),
    NOT_FOUND(404, "not-found", "Not found"),
    METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed"),
    NOT_ACCEPTABLE(406, "not-acceptable", "Not acceptable"),
    CONFLICT(409, "conflict", "Conflict"),
    PAYLOAD_TOO_LARGE(413, "payload-too-large", "Payload too large"),
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type", "Unsupported media type"),
    VALIDATION_FAILED(422, "validation-failed", "Payload does not match the event schema"),
    RATE_LIMITED(429, "rate-limited", "Rate limit exceeded"),
    INTERNAL(500, "internal", "Internal error"),
    JOURNAL_UNAVAILABLE(503, "journal-unavailable", "Journal unavailable, nothing was accepted"),
    SIGNATURES_UNAVAILABLE(503, "signatures-unavailable", "The hub cannot check this partner's signatures, nothing was accepted");

    private final int status;
    private final String slug;
    private final String title;

    ProblemType(int status, String slug, String title) {
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String slug() {
        return slug;
    }

    public String title() {
        return title;
    }
}
