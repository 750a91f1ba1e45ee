package dev.junction.security;

import dev.junction.problem.Problem;
import dev.junction.problem.ProblemType;
import dev.junction.problem.ProblemWriter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.AuthenticationCredentialsNotFoundException;
import org.springframework.security.authorization.AuthorizationDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.stereotype.Component;

/** Spring Security's three refusals (no valid key, key not allowed, request rejected by the firewall) as problems. */
@Component
class ProblemAnswers implements AuthenticationEntryPoint, AccessDeniedHandler, RequestRejectedHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemAnswers.class);
    private static final Map<String, String> CHALLENGE = Map.of("WWW-Authenticate", "Bearer realm=\"junction\"");

    private final ProblemWriter problems;

    ProblemAnswers(ProblemWriter problems) {
        this.problems = problems;
    }

    /** 401: no key, or the reason the presented one (or the webhook's signature) was refused. */
    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException missing)
            throws IOException {
        AuthenticationException reason = request.getAttribute(KeyAuthenticationFilter.FAILURE) instanceof AuthenticationException f ? f : missing;
        String detail = reason instanceof AuthenticationCredentialsNotFoundException
                ? "Send your API key in X-API-Key or Authorization: Bearer" : reason.getMessage();
        ProblemType type = reason instanceof SignatureFilter.SignatureRefusal ? ProblemType.INVALID_SIGNATURE : ProblemType.UNAUTHORIZED;
        problems.write(response, Problem.of(type, detail), CHALLENGE);
    }

    /** 403: a valid key the path's rule does not admit. */
    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException denied)
            throws IOException {
        String detail = denied instanceof AuthorizationDeniedException d && d.getAuthorizationResult() instanceof Rules.Refusal r
                ? r.reason() : "API key not allowed here";
        problems.write(response, Problem.of(ProblemType.FORBIDDEN, detail), Map.of());
    }

    /**
     * 400: the firewall refused the request before anything read it. Its messages about the URL or the method are
     * safe to repeat; those about headers and parameters quote the value, which may be a key, so they are not.
     */
    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, RequestRejectedException rejected)
            throws IOException {
        String message = rejected.getMessage() == null ? "" : rejected.getMessage();
        String detail = message.contains("header") || message.contains("parameter")
                ? "The request has a header or parameter with characters the hub refuses" : message;
        log.debug("{} refused by the firewall: {}", request.getMethod(), detail);
        problems.write(response, Problem.of(ProblemType.MALFORMED_REQUEST, detail), Map.of());
    }
}
