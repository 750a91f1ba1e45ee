package dev.junction.security;

import dev.junction.problem.Problem;
import dev.junction.problem.ProblemType;
import dev.junction.problem.ProblemWriter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates partner and ops requests by API key ({@code X-API-Key} or {@code Authorization: Bearer}).
 *
 * <p>{@code /webhooks/{partner}/**} takes only that partner's keys; {@code /ops/**} and actuator endpoints other than
 * health take only ops keys. A rejected request never reaches a controller, so it stores nothing. A path is
 * protected when either its raw or its decoded form is, and a protected path that is not in canonical form (encoded
 * characters, dot segments, empty segments, path parameters) is refused, so the filter and the handler mapping can
 * never disagree about a path.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class ApiKeyFilter extends OncePerRequestFilter {

    private static final Pattern CANONICAL = Pattern.compile("(/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*/?");
    private static final Map<String, String> CHALLENGE = Map.of("WWW-Authenticate", "Bearer realm=\"junction\"");

    private final KeyIndex keys;
    private final ProblemWriter problems;
    private final Clock clock;

    ApiKeyFilter(KeyIndex keys, ProblemWriter problems, Clock clock) {
        this.keys = keys;
        this.problems = problems;
        this.clock = clock;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        Scope scope = Scope.of(path);
        if (scope == Scope.PUBLIC) {
            // The handler mapping sees the decoded path without path parameters: "/%77ebhooks/acme/x" and
            // "/webhooks;v=1/acme/x" reach the webhook controller, so they are protected (and then refused as non-canonical).
            scope = Scope.of(request.getServletPath() + Objects.toString(request.getPathInfo(), ""));
        }
        if (scope == Scope.PUBLIC) {
            chain.doFilter(request, response);
            return;
        }
        if (!CANONICAL.matcher(path).matches()) {
            reject(response, ProblemType.NOT_FOUND, "No endpoint " + request.getMethod() + " " + path, Map.of());
            return;
        }
        Optional<String> presented;
        try {
            presented = presentedKey(request);
        } catch (IllegalArgumentException conflicting) {
            reject(response, ProblemType.UNAUTHORIZED, conflicting.getMessage(), CHALLENGE);
            return;
        }
        if (presented.isEmpty()) {
            reject(response, ProblemType.UNAUTHORIZED, "Send your API key in X-API-Key or Authorization: Bearer", CHALLENGE);
            return;
        }
        Optional<KeyIndex.Entry> entry = keys.find(presented.get());
        if (entry.isEmpty()) {
            reject(response, ProblemType.UNAUTHORIZED, "Unknown API key", CHALLENGE);
            return;
        }
        KeyIndex.Entry key = entry.get();
        if (key.expiresAt() != null && !clock.instant().isBefore(key.expiresAt())) {
            reject(response, ProblemType.UNAUTHORIZED, "API key '" + key.keyId() + "' expired at " + key.expiresAt(), CHALLENGE);
            return;
        }
        Caller caller = key.partner() == null ? new Caller.OpsCaller(key.keyId()) : new Caller.PartnerCaller(key.partner(), key.keyId());
        String refusal = scope.refusal(caller, path);
        if (refusal != null) {
            reject(response, ProblemType.FORBIDDEN, refusal, Map.of());
            return;
        }
        request.setAttribute(Caller.ATTRIBUTE, caller);
        chain.doFilter(request, response);
    }

    /** The one key the request presents; several different keys are refused rather than guessed between. */
    static Optional<String> presentedKey(HttpServletRequest request) {
        Set<String> found = new LinkedHashSet<>();
        for (String value : Collections.list(request.getHeaders("X-API-Key"))) {
            if (!value.isBlank()) {
                found.add(value.trim());
            }
        }
        for (String value : Collections.list(request.getHeaders("Authorization"))) {
            String v = value.trim();
            if (v.regionMatches(true, 0, "Bearer ", 0, 7) && !v.substring(7).isBlank()) {
                found.add(v.substring(7).trim());
            }
        }
        if (found.size() > 1) {
            throw new IllegalArgumentException("The request presents more than one API key; send exactly one");
        }
        return found.stream().findFirst();
    }

    private void reject(HttpServletResponse response, ProblemType type, String detail, Map<String, String> headers)
            throws IOException {
        problems.write(response, Problem.of(type, detail), headers);
    }

    /** Which callers a path admits. */
    enum Scope {
        PUBLIC, PARTNER, OPS;

        static Scope of(String path) {
            if (path.equals("/webhooks") || path.startsWith("/webhooks/")) {
                return PARTNER;
            }
            if (path.equals("/ops") || path.startsWith("/ops/")) {
                return OPS;
            }
            if (path.startsWith("/actuator") && !path.equals("/actuator/health") && !path.startsWith("/actuator/health/")) {
                return OPS;
            }
            return PUBLIC;
        }

        String refusal(Caller caller, String path) {
            if (this == OPS) {
                return caller instanceof Caller.OpsCaller ? null : "Partner keys cannot call ops endpoints";
            }
            if (!(caller instanceof Caller.PartnerCaller partner)) {
                return "Ops keys cannot call partner endpoints";
            }
            String[] segments = path.split("/", 4);
            String pathPartner = segments.length > 2 ? segments[2] : "";
            return partner.partner().equals(pathPartner) ? null : "This API key does not belong to partner '" + pathPartner + "'";
        }
    }
}
