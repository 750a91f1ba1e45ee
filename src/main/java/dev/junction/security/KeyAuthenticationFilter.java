package dev.junction.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Takes the one API key a request presents ({@code X-API-Key} or {@code Authorization: Bearer}) and has the
 * {@link KeyAuthenticationProvider} authenticate it. It answers nothing itself: a failure is kept on the request and
 * only becomes a 401 (through {@link ProblemAnswers}) if the path's rule needs a caller, so public paths ignore keys
 * as they always did. Not a bean: it runs inside the security chain only, never as a servlet filter of its own.
 */
final class KeyAuthenticationFilter extends OncePerRequestFilter {

    /** The {@link AuthenticationException} of a key that was presented and refused. */
    static final String FAILURE = KeyAuthenticationFilter.class.getName() + ".FAILURE";

    private final AuthenticationManager authenticationManager;
    private final SecurityContextHolderStrategy contexts = SecurityContextHolder.getContextHolderStrategy();

    KeyAuthenticationFilter(AuthenticationManager authenticationManager) {
        this.authenticationManager = authenticationManager;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            Optional<String> presented = presentedKey(request);
            if (presented.isPresent()) {
                Authentication caller = authenticationManager.authenticate(KeyAuthentication.presented(presented.get()));
                SecurityContext context = contexts.createEmptyContext();
                context.setAuthentication(caller);
                contexts.setContext(context);
                request.setAttribute(Caller.ATTRIBUTE, caller.getPrincipal());
            }
        } catch (IllegalArgumentException conflicting) {
            request.setAttribute(FAILURE, new BadCredentialsException(conflicting.getMessage()));
        } catch (AuthenticationException refused) {
            request.setAttribute(FAILURE, refused);
        }
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
}
