package dev.junction.security;

import java.util.function.Supplier;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;

/**
 * Who may call a protected path. Each rule needs an authenticated caller (without one, Spring Security answers the
 * 401) and then admits it or refuses it with a reason, which {@link ProblemAnswers} puts in the 403's detail.
 */
final class Rules {

    private static final AuthorizationDecision ADMITTED = new AuthorizationDecision(true);

    private Rules() {}

    /** A denial that says why. */
    static final class Refusal extends AuthorizationDecision {
        private final String reason;

        Refusal(String reason) {
            super(false);
            this.reason = reason;
        }

        String reason() {
            return reason;
        }
    }

    @FunctionalInterface
    interface Rule extends AuthorizationManager<RequestAuthorizationContext> {

        /** Null to admit the caller, else the reason it is refused. */
        String refusal(Caller caller, RequestAuthorizationContext request);

        @Override
        @SuppressWarnings("deprecation")
        default AuthorizationDecision check(Supplier<Authentication> authentication, RequestAuthorizationContext request) {
            // Throws AuthenticationCredentialsNotFoundException (a 401) when no key was authenticated.
            Caller caller = (Caller) authentication.get().getPrincipal();
            String refusal = refusal(caller, request);
            return refusal == null ? ADMITTED : new Refusal(refusal);
        }
    }

    /** {@code /webhooks/{partner}/**}: only that partner's keys. */
    static Rule partnerOwnKeys() {
        return (caller, request) -> {
            if (!(caller instanceof Caller.PartnerCaller partner)) {
                return kind(caller) + " cannot call partner endpoints";
            }
            String pathPartner = request.getVariables().getOrDefault("partner", "");
            return partner.partner().equals(pathPartner) ? null : "This API key does not belong to partner '" + pathPartner + "'";
        };
    }

    /** {@code /ops/**} and the actuator: ops keys with at least the given role. */
    static Rule ops(OpsRole needed) {
        return (caller, request) -> {
            if (!(caller instanceof Caller.OpsCaller ops)) {
                return kind(caller) + " cannot call ops endpoints";
            }
            if (needed == OpsRole.ADMIN && ops.role() != OpsRole.ADMIN) {
                return "Ops key '" + ops.keyId() + "' has the role " + ops.role().label() + "; "
                        + request.getRequest().getMethod() + " " + request.getRequest().getRequestURI() + " needs the role admin";
            }
            return null;
        };
    }

    /** {@code /agents/{vendor}/**}: only that vendor's agent tokens. */
    static Rule agentOwnTokens() {
        return (caller, request) -> {
            if (!(caller instanceof Caller.AgentCaller agent)) {
                return kind(caller) + " cannot call agent endpoints; use the vendor's agent token";
            }
            String pathVendor = request.getVariables().getOrDefault("vendor", "");
            return agent.vendor().equals(pathVendor) ? null : "This agent token does not belong to vendor '" + pathVendor + "'";
        };
    }

    private static String kind(Caller caller) {
        if (caller instanceof Caller.PartnerCaller) {
            return "Partner keys";
        }
        return caller instanceof Caller.AgentCaller ? "Agent tokens" : "Ops keys";
    }
}
