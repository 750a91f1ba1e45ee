package dev.junction.intake;

import dev.junction.MessageMdc;
import dev.junction.problem.Problem;
import dev.junction.problem.ProblemException;
import dev.junction.problem.ProblemType;
import dev.junction.problem.ProblemWriter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.filter.ServerHttpObservationFilter;

/**
 * Serves {@code POST /webhooks/{partner}/{event}}, the hot path, without the {@code DispatcherServlet}: handler lookup,
 * argument resolution and message conversion were a third of a request thread's CPU. It runs after the security
 * filter chain and the rate-limit filter, so what reaches it is authenticated as the path's partner, within its
 * partner's limit, and on a normalised path (the security firewall refuses dot segments, path parameters and encoded
 * unreserved characters). Every other request, and any path it does not recognise exactly, goes on to Spring MVC.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 30)
public class IntakeFilter extends OncePerRequestFilter {

    static final String PATTERN = "/webhooks/{partner}/{event}";
    private static final Logger log = LoggerFactory.getLogger(IntakeFilter.class);
    private static final String PREFIX = "/webhooks/";

    private final WebhookIntake intake;
    private final ProblemWriter problems;

    IntakeFilter(WebhookIntake intake, ProblemWriter problems) {
        this.intake = intake;
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String[] target = "POST".equals(request.getMethod()) && request.getContextPath().isEmpty()
                ? partnerAndEvent(request.getRequestURI()) : null;
        if (target == null) {
            chain.doFilter(request, response);
            return;
        }
        ServerHttpObservationFilter.findObservationContext(request).ifPresent(c -> c.setPathPattern(PATTERN));
        // Every line logged while the message is taken in carries its partner and event, then its receipt id.
        try (MessageMdc mdc = MessageMdc.open(null, target[0], target[1], null)) {
            try {
                AppendResult result = intake.accept(target[0], target[1], request);
                response.setStatus(HttpServletResponse.SC_ACCEPTED);
                response.setHeader("Location", WebhookIntake.location(target[0], result));
                if (result.replayed()) {
                    response.setHeader("Idempotent-Replayed", "true");
                }
                response.setContentType("application/json");
                // A receipt id is a UUID and the rest is constant: nothing here needs escaping.
                byte[] body = ("{\"receiptId\":\"" + result.receiptId() + "\",\"status\":\"accepted\"}").getBytes(StandardCharsets.US_ASCII);
                response.setContentLength(body.length);
                response.getOutputStream().write(body);
                log.debug("POST {}: 202 {}{}", request.getRequestURI(), result.receiptId(), result.replayed() ? " (replayed)" : "");
            } catch (ProblemException e) {
                // What Spring MVC logs at DEBUG for the other endpoints: the path and the answer, never a header.
                log.debug("POST {}: {} {}", request.getRequestURI(), e.problem().status(), e.problem().detail());
                problems.write(response, e.problem(), e.headers());
            } catch (RuntimeException e) {
                log.error("Unexpected error on {} {}", request.getMethod(), request.getRequestURI(), e);
                problems.write(response, Problem.of(ProblemType.INTERNAL, "Unexpected error; it has been logged"), Map.of());
            }
        }
    }

    /**
     * {partner, event} for exactly /webhooks/{partner}/{event} with plain segments; null for anything else. Public for
     * the security chain's signature check, which must recognise the same paths intake takes in.
     */
    public static String[] partnerAndEvent(String uri) {
        if (!uri.startsWith(PREFIX)) {
            return null;
        }
        int slash = uri.indexOf('/', PREFIX.length());
        if (slash < 0 || slash == PREFIX.length() || slash == uri.length() - 1 || uri.indexOf('/', slash + 1) >= 0) {
            return null;
        }
        String partner = uri.substring(PREFIX.length(), slash);
        String event = uri.substring(slash + 1);
        return plain(partner) && plain(event) ? new String[] {partner, event} : null;
    }

    /** Unreserved characters only, not a dot segment: what Spring MVC would match to the same path variables. */
    private static boolean plain(String segment) {
        if (segment.equals(".") || segment.equals("..")) {
            return false;
        }
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
