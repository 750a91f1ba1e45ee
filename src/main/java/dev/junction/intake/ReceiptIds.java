package dev.junction.intake;

import java.util.UUID;

/** Receipt ids are UUIDv7: unguessable, and ordered by time so the journal's primary key stays append-friendly. */
final class ReceiptIds {

    private ReceiptIds() {}

    static String next(long epochMillis) {
        UUID random = UUID.randomUUID();
        long msb = (epochMillis << 16) | 0x7000L | (random.getMostSignificantBits() & 0x0FFFL);
        return new UUID(msb, random.getLeastSignificantBits()).toString();
    }
}
