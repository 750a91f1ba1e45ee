package dev.junction.security;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;

/** Who an authenticated request comes from; set on the request by {@link ApiKeyFilter}. */
public sealed interface Caller {

    String ATTRIBUTE = Caller.class.getName();

    /** The key's id, never the key: safe to log and to write in an audit trail. */
    String keyId();

    record PartnerCaller(String partner, String keyId) implements Caller {}

    record OpsCaller(String keyId) implements Caller {}

    static Optional<Caller> of(HttpServletRequest request) {
        return Optional.ofNullable((Caller) request.getAttribute(ATTRIBUTE));
    }
}
