package dev.junction.delivery;

import dev.junction.intake.AcceptedMessage;

/**
 * A claimed message on its way to its route.
 *
 * @param attempts attempts already spent in this round
 * @param replays how many times ops replayed it (a replay starts a new round of attempts)
 */
record Job(AcceptedMessage message, int attempts, int replays) {

    String receiptId() {
        return message.receiptId();
    }
}
