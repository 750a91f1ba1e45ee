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
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Every key the hub accepts, by SHA-256. Keys exist here only as digests; a presented key is hashed and
 * the candidate digest is compared in constant time, so neither storage nor timing reveals a key.
 */
@Component
class KeyIndex {

    /** A known key: a partner's (partner non-null, role null) or an ops key (partner null, with its role). */
    record Entry(byte[] sha256, String partner, String keyId, Instant expiresAt, OpsRole role) {

        Caller caller() {
            return partner == null ? new Caller.OpsCaller(keyId, role) : new Caller.PartnerCaller(partner, keyId);
        }
    }

    private final Map<String, Entry> byDigest = new HashMap<>();

    KeyIndex(PartnerRegistry partners, JunctionProperties properties) {
        for (Partner p : partners.all()) {
            for (Partner.ApiKey k : p.apiKeys()) {
                add(new Entry(k.sha256(), p.id(), k.id(), k.expiresAt(), null));
            }
        }
        for (JunctionProperties.OpsKey k : properties.opsKeys()) {
            add(new Entry(HexFormat.of().parseHex(k.sha256()), null, k.id(), null, OpsRole.of(k.role())));
        }
        if (properties.opsApiKey() != null && !properties.opsApiKey().isBlank()) {
            // The plaintext dev and CI key has full ops rights (DESIGN).
            add(new Entry(sha256(properties.opsApiKey().trim()), null, "env", null, OpsRole.ADMIN));
        }
    }

    private void add(Entry entry) {
        Entry previous = byDigest.putIfAbsent(HexFormat.of().formatHex(entry.sha256()), entry);
        if (previous != null) {
            throw new IllegalStateException("Ops key '" + entry.keyId() + "' has the same hash as key '" + previous.keyId()
                    + "'" + (previous.partner() == null ? "" : " of partner " + previous.partner()));
        }
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
