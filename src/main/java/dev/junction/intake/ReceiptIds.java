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
        SecureRandom random = RANDOM.get();
        long msb = (epochMillis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
        // RFC 9562 variant bits (10) on top of 62 random bits.
        long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
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
