package dev.junction.security;

import dev.junction.intake.IntakeFilter;
import dev.junction.intake.PayloadReader;
import dev.junction.partner.Partner;
import dev.junction.partner.PartnerRegistry;
import dev.junction.partner.StandardWebhooks;
import dev.junction.problem.Problem;
import dev.junction.problem.ProblemException;
import dev.junction.problem.ProblemType;
import dev.junction.problem.ProblemWriter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Standard Webhooks on {@code POST /webhooks/{partner}/{event}} of a partner whose descriptor has {@code signatures}.
 * It runs right after {@link KeyAuthenticationFilter} and, like it, answers no 401 itself: it leaves the caller
 * the key established, removes it, or (with {@code apiKey: optional}) establishes one from a valid signature, and
 * the path's rule answers. The signature covers the exact bytes, so it reads the body here (bounded by the
 * partner's limit) and hands intake a request that replays them. Other partners and paths pass untouched.
 */
final class SignatureFilter extends OncePerRequestFilter {

    /** The key id a signature-authenticated caller carries (for logs and audit; there is no key). */
    static final String SIGNATURE_KEY_ID = "webhook-signature";

    private static final Logger log = LoggerFactory.getLogger(SignatureFilter.class);

    private final PartnerRegistry partners;
    private final Environment environment;
    private final Clock clock;
    private final ProblemWriter problems;
    private final SecurityContextHolderStrategy contexts = SecurityContextHolder.getContextHolderStrategy();
    /** Placeholders already reported as unusable, so a misconfigured partner logs once per secret, not per request. */
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    SignatureFilter(PartnerRegistry partners, Environment environment, Clock clock, ProblemWriter problems) {
        this.partners = partners;
        this.environment = environment;
        this.clock = clock;
        this.problems = problems;
    }

    /** A refused signature: a 401 of type invalid-signature. */
    static final class SignatureRefusal extends AuthenticationException {
        SignatureRefusal(String reason) {
            super(reason);
        }
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Partner partner = "POST".equals(request.getMethod()) ? webhookPartner(request.getRequestURI()) : null;
        if (partner == null || partner.signatures() == null) {
            chain.doFilter(request, response);
            return;
        }
        Partner.Signatures spec = partner.signatures();
        SignatureVerifier.Headers headers = headers(request);
        boolean keyPresented = Caller.of(request).isPresent() || request.getAttribute(KeyAuthenticationFilter.FAILURE) != null;
        if (!headers.any()) {
            if (spec.apiKeyRequired()) {
                refuse(request, new SignatureRefusal("Partner '" + partner.id() + "' signs its webhooks: send webhook-id, "
                        + "webhook-timestamp and webhook-signature (Standard Webhooks) with your API key"));
            } else if (!keyPresented) {
                refuse(request, new BadCredentialsException("Send a Standard Webhooks signature (webhook-id, webhook-timestamp, "
                        + "webhook-signature) or an API key in X-API-Key or Authorization: Bearer"));
            }
            chain.doFilter(request, response);
            return;
        }
        List<byte[]> keys = keys(partner);
        if (keys.isEmpty()) {
            // Never accept unsigned because a secret is missing: the sender retries a 503, and nothing is lost.
            problems.write(response, Problem.of(ProblemType.SIGNATURES_UNAVAILABLE, "The hub has no usable signing secret for partner '"
                    + partner.id() + "'; nothing was accepted, retry later"), Map.of("Retry-After", "60"));
            return;
        }
        byte[] body;
        try {
            body = PayloadReader.readBounded(request.getContentLengthLong(), request.getInputStream(), partner.maxBodyBytes());
        } catch (ProblemException unreadable) {
            problems.write(response, unreadable.problem(), unreadable.headers());
            return;
        }
        String refusal = SignatureVerifier.refusal(headers, body, keys, clock.instant(), spec.tolerance());
        if (refusal != null) {
            refuse(request, new SignatureRefusal(refusal));
        } else if (!keyPresented) {
            if (spec.apiKeyRequired()) {
                refuse(request, new BadCredentialsException("The signature is valid, and partner '" + partner.id()
                        + "' also needs an API key in X-API-Key or Authorization: Bearer"));
            } else {
                Caller caller = new Caller.PartnerCaller(partner.id(), SIGNATURE_KEY_ID);
                SecurityContext context = contexts.createEmptyContext();
                context.setAuthentication(KeyAuthentication.of(caller));
                contexts.setContext(context);
                request.setAttribute(Caller.ATTRIBUTE, caller);
            }
        }
        chain.doFilter(new ReadBody(request, body), response);
    }

    /** The partner of exactly {@code /webhooks/{partner}/{event}}, if the hub knows it. */
    private Partner webhookPartner(String uri) {
        String[] target = IntakeFilter.partnerAndEvent(uri);
        return target == null ? null : partners.find(target[0]).orElse(null);
    }

    /** Whatever the key said, the request has no caller now; the path's rule answers 401 with this reason. */
    private void refuse(HttpServletRequest request, AuthenticationException reason) {
        contexts.clearContext();
        request.removeAttribute(Caller.ATTRIBUTE);
        request.setAttribute(KeyAuthenticationFilter.FAILURE, reason);
    }

    private static SignatureVerifier.Headers headers(HttpServletRequest request) {
        String conflicting = null;
        String[] values = new String[3];
        String[] names = {StandardWebhooks.ID, StandardWebhooks.TIMESTAMP, StandardWebhooks.SIGNATURE};
        for (int i = 0; i < names.length; i++) {
            List<String> all = Collections.list(request.getHeaders(names[i])).stream().map(String::trim).distinct().toList();
            if (all.size() > 1 && i < 2) {
                conflicting = names[i];
            }
            // Several webhook-signature headers are one list of entries, as a proxy may split them.
            values[i] = all.isEmpty() ? null : String.join(" ", all);
        }
        return new SignatureVerifier.Headers(values[0], values[1], values[2], conflicting);
    }

    private List<byte[]> keys(Partner partner) {
        List<byte[]> keys = new ArrayList<>();
        for (String placeholder : partner.signatures().secrets()) {
            try {
                keys.add(StandardWebhooks.resolveKey(environment, placeholder));
            } catch (IllegalArgumentException unusable) {
                if (reported.add(partner.id() + " " + placeholder)) {
                    log.warn("Partner {}: signing secret {}; signatures made with it are not accepted", partner.id(), unusable.getMessage());
                }
            }
        }
        return keys;
    }

    /** The request with its body already read: intake reads the same bytes the signature was checked over. */
    private static final class ReadBody extends HttpServletRequestWrapper {
        private final byte[] body;

        ReadBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("the body was read before the signature check");
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(getInputStream(), StandardCharsets.UTF_8));
        }
    }
}
