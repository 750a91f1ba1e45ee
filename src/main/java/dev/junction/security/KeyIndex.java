package dev.junction.security;

import dev.junction.JunctionProperties;
import dev.junction.partner.Partner;
import dev.junction.partner.PartnerRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Every key the hub accepts, by SHA-256. Keys exist here only as digests; a presented key is hashed and
 * the candidate digest is compared in constant time, so neither storage nor timing reveals a key.
 */
@Component
class KeyIndex {

    /** A known key and the caller it authenticates. */
    record Entry(byte[] sha256, String keyId, Instant expiresAt, Caller caller) {}

    private final Map<String, Entry> byDigest = new HashMap<>();

    KeyIndex(PartnerRegistry partners, JunctionProperties properties) {
        for (Partner p : partners.all()) {
            for (Partner.ApiKey k : p.apiKeys()) {
                add(new Entry(k.sha256(), k.id(), k.expiresAt(), new Caller.PartnerCaller(p.id(), k.id())));
            }
            for (Partner.ApiKey k : p.agentSpec().map(Partner.Agent::tokens).orElse(List.of())) {
                add(new Entry(k.sha256(), k.id(), k.expiresAt(), new Caller.AgentCaller(p.id(), k.id())));
            }
        }
        for (JunctionProperties.OpsKey k : properties.opsKeys()) {
            add(new Entry(HexFormat.of().parseHex(k.sha256()), k.id(), null, new Caller.OpsCaller(k.id(), OpsRole.of(k.role()))));
        }
        if (properties.opsApiKey() != null && !properties.opsApiKey().isBlank()) {
            // The plaintext dev and CI key has full ops rights (DESIGN).
            add(new Entry(sha256(properties.opsApiKey().trim()), "env", null, new Caller.OpsCaller("env", OpsRole.ADMIN)));
        }
    }

    private void add(Entry entry) {
        Entry previous = byDigest.putIfAbsent(HexFormat.of().formatHex(entry.sha256()), entry);
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
