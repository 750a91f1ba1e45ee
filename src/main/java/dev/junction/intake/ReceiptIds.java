package dev.junction.intake;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.UUID;

/** Receipt ids are UUIDv7: unguessable, and ordered by time so the journal's primary key stays append-friendly. */
final class ReceiptIds {

    /**
     * One generator per thread: {@link UUID#randomUUID()} shares a single SecureRandom whose lock every request
     * thread queued on under load (profiled: seconds of monitor wait per second at 1,000 req/s).
     */
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(ReceiptIds::newGenerator);

    private ReceiptIds() {}

    static String next(long epochMillis) {
        byte[] random = new byte[10];
        RANDOM.get().nextBytes(random); // one call: each call to a DRBG has a fixed cost of its own
        long r = 0;
        for (int i = 2; i < 10; i++) {
            r = (r << 8) | (random[i] & 0xFF);
        }
        long msb = (epochMillis << 16) | 0x7000L | (((random[0] & 0x0F) << 8) | (random[1] & 0xFF));
        // RFC 9562 variant bits (10) on top of 62 random bits.
        long lsb = (r & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    private static SecureRandom newGenerator() {
        try {
            // DRBG instances are independent (no process-wide lock), seeded from the system's entropy source.
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }
}
