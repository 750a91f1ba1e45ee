package dev.junction.security;

import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;

/**
 * An API key on its way through Spring Security: first the presented key (not yet authenticated), then, once
 * {@link KeyAuthenticationProvider} has found it, its {@link Caller}, with the key itself dropped. Rules decide on the
 * caller (partner, ops role), not on authorities, so there are none.
 */
final class KeyAuthentication extends AbstractAuthenticationToken {

    private String presentedKey;
    private final Caller caller;

    private KeyAuthentication(String presentedKey, Caller caller) {
        super(List.of());
        this.presentedKey = presentedKey;
        this.caller = caller;
        super.setAuthenticated(caller != null);
    }

    static KeyAuthentication presented(String key) {
        return new KeyAuthentication(key, null);
    }

    static KeyAuthentication of(Caller caller) {
        return new KeyAuthentication(null, caller);
    }

    @Override
    public Object getCredentials() {
        return presentedKey;
    }

    @Override
    public Caller getPrincipal() {
        return caller;
    }

    @Override
    public String getName() {
        return caller == null ? "" : caller.keyId();
    }

    @Override
    public void setAuthenticated(boolean authenticated) {
        if (authenticated) {
            throw new IllegalArgumentException("Only KeyAuthenticationProvider authenticates a key");
        }
        super.setAuthenticated(false);
    }

    @Override
    public void eraseCredentials() {
        presentedKey = null;
    }

    /** Never the key, whoever logs this (Spring Security does at TRACE). */
    @Override
    public String toString() {
        return "KeyAuthentication[" + (caller == null ? "unauthenticated" : caller) + "]";
    }
}
