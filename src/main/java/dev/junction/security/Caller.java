package dev.junction.security;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;

/**
 * Who an authenticated request comes from: the principal of its {@link KeyAuthentication}, also kept on the request
 * so that servlet filters after the security chain (rate limit, intake) and controllers read it without Spring
 * Security types. A new kind of key is one more record here, one more kind in {@link KeyIndex} and one more
 * rule in {@link SecurityConfig}.
 */
public sealed interface Caller {

    String ATTRIBUTE = Caller.class.getName();

    /** The key's id, never the key: safe to log and to write in an audit trail. */
    String keyId();

    record PartnerCaller(String partner, String keyId) implements Caller {}

    record OpsCaller(String keyId, OpsRole role) implements Caller {}

    /** An ERP vendor's agent, by one of the tokens in its descriptor's {@code agent} section. */
    record AgentCaller(String vendor, String keyId) implements Caller {}

    static Optional<Caller> of(HttpServletRequest request) {
        return Optional.ofNullable((Caller) request.getAttribute(ATTRIBUTE));
    }
}
