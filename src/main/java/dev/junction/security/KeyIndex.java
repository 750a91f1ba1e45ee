package dev.junction.security;

import dev.junction.JunctionProperties;
import dev.junction.partner.ConfigCheck;
import dev.junction.partner.InvalidConnectorException;
import dev.junction.partner.Partner;
import dev.junction.partner.PartnerRegistry;
import dev.junction.partner.PartnersReloaded;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Every key the hub accepts, by SHA-256. Keys exist here only as digests; a presented key is hashed and
 * the candidate digest is compared in constant time, so neither storage nor timing reveals a key.
 */
@Component
class KeyIndex implements ConfigCheck {

    /** A known key and the caller it authenticates. */
    record Entry(byte[] sha256, String keyId, Instant expiresAt, Caller caller) {}

    /** Swapped whole on a reload: a lookup sees the old keys or the new ones, never a half-built map. */
    private volatile Map<String, Entry> byDigest;
    private final JunctionProperties properties;

    KeyIndex(PartnerRegistry partners, JunctionProperties properties) {
        this.properties = properties;
        this.byDigest = build(partners.all());
    }

    /** A revoked key stops working and a new one works as soon as the new configuration is in. */
    @EventListener
    void onReload(PartnersReloaded reloaded) {
        byDigest = build(reloaded.current().all());
    }

    /** An ops key that a new partner key collides with refuses the reload, as it stops startup. */
    @Override
    public void check(Collection<Partner> candidate) {
        try {
            build(candidate);
        } catch (IllegalStateException collision) {
            throw new InvalidConnectorException(collision.getMessage());
        }
    }

    private Map<String, Entry> build(Collection<Partner> partners) {
        Map<String, Entry> keys = new HashMap<>();
        for (Partner p : partners) {
            for (Partner.ApiKey k : p.apiKeys()) {
                add(keys, new Entry(k.sha256(), k.id(), k.expiresAt(), new Caller.PartnerCaller(p.id(), k.id())));
            }
            for (Partner.ApiKey k : p.agentSpec().map(Partner.Agent::tokens).orElse(List.of())) {
                add(keys, new Entry(k.sha256(), k.id(), k.expiresAt(), new Caller.AgentCaller(p.id(), k.id())));
            }
        }
        for (JunctionProperties.OpsKey k : properties.opsKeys()) {
            add(keys, new Entry(HexFormat.of().parseHex(k.sha256()), k.id(), null, new Caller.OpsCaller(k.id(), OpsRole.of(k.role()))));
        }
        if (properties.opsApiKey() != null && !properties.opsApiKey().isBlank()) {
            // The plaintext dev and CI key has full ops rights (DESIGN).
            add(keys, new Entry(sha256(properties.opsApiKey().trim()), "env", null, new Caller.OpsCaller("env", OpsRole.ADMIN)));
        }
        return Map.copyOf(keys);
    }

    private static void add(Map<String, Entry> keys, Entry entry) {
        Entry previous = keys.putIfAbsent(HexFormat.of().formatHex(entry.sha256()), entry);
        if (previous != null) {
            throw new IllegalStateException("Ops key '" + entry.keyId() + "' has the same hash as key '" + previous.keyId()
                    + "'" + (previous.caller() instanceof Caller.OpsCaller ? "" : " of partner " + owner(previous.caller())));
        }
    }

    private static String owner(Caller caller) {
        if (caller instanceof Caller.PartnerCaller p) {
            return p.partner();
        }
        return caller instanceof Caller.AgentCaller a ? a.vendor() : "ops";
    }

    Optional<Entry> find(String presentedKey) {
        byte[] digest = sha256(presentedKey);
        Entry candidate = byDigest.get(HexFormat.of().formatHex(digest));
        return candidate != null && MessageDigest.isEqual(candidate.sha256(), digest) ? Optional.of(candidate) : Optional.empty();
    }

    static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
