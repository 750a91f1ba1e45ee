package dev.junction.problem;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.net.URI;
import java.util.List;

/**
 * An RFC 9457 problem document. Every error Junction answers is one of these, served as
 * {@code application/problem+json}, whichever layer (filter, controller, container) produced it.
 *
 * @param errors per-field violations, for 422 answers only
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"type", "title", "status", "detail", "instance", "errors"})
public record Problem(URI type, String title, int status, String detail, String instance, List<FieldError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";
    private static final String TYPE_BASE = "https://junction.dev/problems/";

    /** One violation: a JSON Pointer into the payload and what is wrong there. */
    public record FieldError(String pointer, String message) {}

    public static Problem of(ProblemType type, String detail) {
        return new Problem(URI.create(TYPE_BASE + type.slug()), type.title(), type.status(), detail, null, null);
    }

    public Problem withErrors(List<FieldError> fieldErrors) {
        return new Problem(type, title, status, detail, instance, List.copyOf(fieldErrors));
    }

    public Problem withInstance(String path) {
        return new Problem(type, title, status, detail, path, errors);
    }
}
