package dev.junction.cli;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A new API key: 32 bytes from a CSPRNG (256 bits), URL-safe base64 behind a {@code jk_} prefix so that a leaked key
 * is easy to grep for (secret scanners, logs). Only {@link #sha256} is ever written; the hub hashes a presented key
 * the same way (UTF-8 bytes of the whole string, hex SHA-256: security.KeyIndex).
 */
record NewKey(String plaintext, String sha256) {

    static final String PREFIX = "jk_";
    private static final int BYTES = 32;

    static NewKey generate(SecureRandom random) {
        byte[] bytes = new byte[BYTES];
        random.nextBytes(bytes);
        String key = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        return new NewKey(key, sha256(key));
    }

    static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    /** Never the key itself: a record's generated toString would print it wherever the record is logged. */
    @Override
    public String toString() {
        return "NewKey[sha256=" + sha256 + "]";
    }
}
