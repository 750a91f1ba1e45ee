package dev.junction.security;

import dev.junction.partner.StandardWebhooks;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Checks one request's Standard Webhooks signature, in the order a sender can act on: the three headers are there,
 * the id and timestamp are well formed, the timestamp is within the tolerance, the signature header parses, and one
 * of its {@code v1} entries matches one of the secrets. A refusal names the check that failed and never the expected
 * signature or a secret. No Spring here: the filter hands it headers, the exact body bytes, the keys and the time.
 */
final class SignatureVerifier {

    private static final Pattern PRINTABLE_ID = Pattern.compile("[\\x21-\\x7E]{1,255}");
    private static final Pattern UNIX_SECONDS = Pattern.compile("[0-9]{1,12}");
    private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/]+={0,2}");

    /** The signature headers as received; a header sent several times with different values is {@link #conflicting}. */
    record Headers(String id, String timestamp, String signature, String conflicting) {

        boolean any() {
            return id != null || timestamp != null || signature != null;
        }
    }

    private SignatureVerifier() {}

    /** Null when the signature is valid, else why not, for the 401's detail. */
    static String refusal(Headers headers, byte[] body, List<byte[]> keys, Instant now, Duration tolerance) {
        if (headers.conflicting() != null) {
            return "Send one " + headers.conflicting() + " header, not several with different values";
        }
        List<String> missing = new ArrayList<>();
        if (headers.id() == null) {
            missing.add(StandardWebhooks.ID);
        }
        if (headers.timestamp() == null) {
            missing.add(StandardWebhooks.TIMESTAMP);
        }
        if (headers.signature() == null) {
            missing.add(StandardWebhooks.SIGNATURE);
        }
        if (!missing.isEmpty()) {
            return "Missing Standard Webhooks header(s) " + String.join(", ", missing)
                    + "; a signed webhook carries webhook-id, webhook-timestamp and webhook-signature";
        }
        if (!PRINTABLE_ID.matcher(headers.id()).matches()) {
            return "webhook-id must be 1 to 255 printable ASCII characters without spaces";
        }
        if (!UNIX_SECONDS.matcher(headers.timestamp()).matches()) {
            return "webhook-timestamp must be the time of signing in unix seconds (an integer)";
        }
        long timestamp = Long.parseLong(headers.timestamp());
        long skew = timestamp - now.getEpochSecond();
        if (Math.abs(skew) > tolerance.toSeconds()) {
            return "webhook-timestamp is outside the tolerance: " + Math.abs(skew) + " s " + (skew < 0 ? "in the past" : "in the future")
                    + ", at most " + tolerance.toSeconds() + " s is accepted; sign each attempt with the current time"
                    + (skew > 0 ? " and check the sender's clock" : "");
        }
        List<byte[]> signatures = new ArrayList<>();
        for (String entry : headers.signature().trim().split(" +")) {
            int comma = entry.indexOf(',');
            if (comma <= 0 || comma == entry.length() - 1) {
                return malformed();
            }
            if (!StandardWebhooks.VERSION.equals(entry.substring(0, comma))) {
                continue; // another scheme's entry (e.g. v1a, ed25519): the spec lets a verifier skip what it does not use
            }
            String value = entry.substring(comma + 1);
            if (!BASE64.matcher(value).matches()) {
                return malformed();
            }
            try {
                signatures.add(Base64.getDecoder().decode(value));
            } catch (IllegalArgumentException e) {
                return malformed();
            }
        }
        if (signatures.isEmpty()) {
            return "webhook-signature has no v1 entry; this hub verifies v1 (HMAC-SHA256) signatures";
        }
        for (byte[] key : keys) {
            byte[] expected = StandardWebhooks.mac(key, headers.id(), timestamp, body);
            for (byte[] presented : signatures) {
                // Constant time: an early mismatch must not tell a forger how much of the signature was right.
                if (MessageDigest.isEqual(expected, presented)) {
                    return null;
                }
            }
        }
        return "No webhook-signature entry matches this partner's signing secret; sign "
                + "<webhook-id>.<webhook-timestamp>.<the exact body bytes> with HMAC-SHA256, keyed by the base64-decoded part of the whsec_ secret";
    }

    private static String malformed() {
        return "webhook-signature is malformed; send space-separated entries like v1,<base64 HMAC-SHA256>";
    }
}
