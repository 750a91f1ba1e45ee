package dev.junction.partner;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.core.env.PropertyResolver;

/**
 * The symmetric scheme of the Standard Webhooks specification (standardwebhooks.com), shared by inbound verification
 * and outbound signing: headers {@code webhook-id}, {@code webhook-timestamp} (unix seconds) and
 * {@code webhook-signature} ({@code v1,<base64 HMAC-SHA256>} entries separated by spaces), over the content
 * {@code <id>.<timestamp>.<body>} where the body is the exact bytes on the wire.
 */
public final class StandardWebhooks {

    public static final String ID = "webhook-id";
    public static final String TIMESTAMP = "webhook-timestamp";
    public static final String SIGNATURE = "webhook-signature";
    public static final String SECRET_PREFIX = "whsec_";
    /** The only version this scheme verifies; {@code v1a} (ed25519) entries are skipped, as the spec allows. */
    public static final String VERSION = "v1";

    private StandardWebhooks() {}

    /**
     * The HMAC key of a {@code whsec_<base64>} secret (the prefix is optional, as in the reference libraries).
     *
     * @throws IllegalArgumentException without the secret in the message
     */
    public static byte[] key(String secret) {
        String encoded = secret.startsWith(SECRET_PREFIX) ? secret.substring(SECRET_PREFIX.length()) : secret;
        byte[] key;
        try {
            key = Base64.getDecoder().decode(encoded.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("is not a whsec_<base64> secret");
        }
        if (key.length == 0) {
            throw new IllegalArgumentException("is an empty secret");
        }
        return key;
    }

    /**
     * The HMAC key behind a descriptor's {@code ${ENV}} placeholder, resolved now (like a target's headers), so the
     * secret is never held in the descriptor model.
     *
     * @throws IllegalArgumentException naming the placeholder, never its value, when it is unset or not a secret
     */
    public static byte[] resolveKey(PropertyResolver environment, String placeholder) {
        String secret;
        try {
            secret = environment.resolveRequiredPlaceholders(placeholder);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(placeholder + " is not set");
        }
        try {
            return key(secret);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(placeholder + " " + e.getMessage());
        }
    }

    /** The raw HMAC-SHA256 of {@code <id>.<timestamp>.<body>}. */
    public static byte[] mac(byte[] key, String id, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    /** The {@code webhook-signature} entry: {@code v1,<base64 HMAC>}. */
    public static String sign(byte[] key, String id, long timestamp, byte[] body) {
        return VERSION + "," + Base64.getEncoder().encodeToString(mac(key, id, timestamp, body));
    }
}
