package dev.junction.problem;

import java.util.Map;

/** Thrown anywhere below a controller to answer with a problem; extra headers (e.g. Retry-After) ride along. */
public class ProblemException extends RuntimeException {

    private final transient Problem problem;
    private final transient Map<String, String> headers;

    public ProblemException(ProblemType type, String detail) {
        this(Problem.of(type, detail), Map.of());
    }

    public ProblemException(Problem problem, Map<String, String> headers) {
        super(problem.detail(), null, false, false);
        this.problem = problem;
        this.headers = Map.copyOf(headers);
    }

    public Problem problem() {
        return problem;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
