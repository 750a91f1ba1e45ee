package dev.junction.ratelimit;

import dev.junction.problem.Problem;
import dev.junction.problem.ProblemType;
import dev.junction.problem.ProblemWriter;
import dev.junction.security.Caller;
import io.github.bucket4j.ConsumptionProbe;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Spends one token of the calling partner's bucket per authenticated request (a vendor's agent spends its vendor's),
 * answering 429 with {@code Retry-After} when it is empty. Every authenticated partner response carries {@code RateLimit} and
 * {@code RateLimit-Policy} (IETF httpapi ratelimit-headers draft-10 structured fields).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
class RateLimitFilter extends OncePerRequestFilter {

    private final PartnerBuckets buckets;
    private final ProblemWriter problems;

    RateLimitFilter(PartnerBuckets buckets, ProblemWriter problems) {
        this.buckets = buckets;
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String partner = limitedPartner(Caller.of(request).orElse(null));
        // No bucket: a reload removed the partner after its key was checked; intake answers for an unknown partner.
        PartnerBuckets.Limited limited = partner == null ? null : buckets.of(partner);
        if (limited == null) {
            chain.doFilter(request, response);
            return;
        }
        ConsumptionProbe probe = buckets.tryConsume(limited);
        response.setHeader("RateLimit-Policy", policy(limited));
        if (probe.isConsumed()) {
            response.setHeader("RateLimit", "\"default\";r=" + probe.getRemainingTokens() + ";t=" + seconds(probe.getNanosToWaitForReset()));
            chain.doFilter(request, response);
            return;
        }
        long retryAfter = Math.max(1, seconds(probe.getNanosToWaitForRefill()));
        response.setHeader("RateLimit", "\"default\";r=0;t=" + retryAfter);
        problems.write(response, Problem.of(ProblemType.RATE_LIMITED, "Partner '" + partner + "' may send "
                        + limited.policy().capacity() + " requests at once, refilled at " + limited.policy().refillPerSecond()
                        + " per second; retry after " + retryAfter + " s"),
                Map.of("Retry-After", Long.toString(retryAfter)));
    }

    /** Whose bucket a caller spends: a partner's keys and its agent's tokens share the partner's; ops keys have none. */
    private static String limitedPartner(Caller caller) {
        if (caller instanceof Caller.PartnerCaller p) {
            return p.partner();
        }
        return caller instanceof Caller.AgentCaller a ? a.vendor() : null;
    }

    static String policy(PartnerBuckets.Limited limited) {
        long window = (long) Math.ceil(limited.policy().capacity() / limited.policy().refillPerSecond());
        return "\"default\";q=" + limited.policy().capacity() + ";w=" + Math.max(1, window);
    }

    static long seconds(long nanos) {
        return (nanos + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1);
    }
}
