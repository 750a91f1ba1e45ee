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

    String receiptId() {
        return message.receiptId();
    }
}
