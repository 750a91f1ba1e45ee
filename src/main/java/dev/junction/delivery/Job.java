package dev.junction.delivery;

import dev.junction.intake.AcceptedMessage;

import java.time.Instant;

/**
 * A claimed message on its way to its route.
 *
 * @param attempts attempts already spent in this round
 * @param replays how many times ops replayed it (a replay starts a new round of attempts)
 * @param leasedUntil when this instance's claim on it ends unless renewed
 */
record Job(AcceptedMessage message, int attempts, int replays, Instant leasedUntil) {

    private static final byte[] NO_PAYLOAD = new byte[0];

    String receiptId() {
        return message.receiptId();
    }

    /**
     * The same job without its payload, for what outlives the delivery (an outcome waiting for its commit): those are
     * not counted in the lanes' payload budget, and a hundred partners' worth of 64 KiB payloads ran a 256 MB heap out.
     */
    Job withoutPayload() {
        AcceptedMessage m = message;
        return new Job(new AcceptedMessage(m.receiptId(), m.partner(), m.event(), m.route(), m.correlationId(), m.contentType(),
                NO_PAYLOAD, m.receivedAt()), attempts, replays, leasedUntil);
    }
}
