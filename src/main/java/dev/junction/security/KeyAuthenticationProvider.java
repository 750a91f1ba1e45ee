package dev.junction.security;

import java.time.Clock;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.CredentialsExpiredException;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Component;

/**
 * Authenticates a presented API key against {@link KeyIndex} (SHA-256 digests, constant-time compare) and its expiry.
 * Being a bean, it also stands in for the user store Spring Boot would otherwise generate (with a logged password).
 */
@Component
class KeyAuthenticationProvider implements AuthenticationProvider {

    private final KeyIndex keys;
    private final Clock clock;

    KeyAuthenticationProvider(KeyIndex keys, Clock clock) {
        this.keys = keys;
        this.clock = clock;
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        String presented = (String) authentication.getCredentials();
        KeyIndex.Entry key = keys.find(presented).orElseThrow(() -> new BadCredentialsException("Unknown API key"));
        if (key.expiresAt() != null && !clock.instant().isBefore(key.expiresAt())) {
            throw new CredentialsExpiredException("API key '" + key.keyId() + "' expired at " + key.expiresAt());
        }
        return KeyAuthentication.of(key.caller());
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return KeyAuthentication.class.isAssignableFrom(authentication);
    }
}
