package dev.junction.sync;

/**
 * One record as pulled: its JSON object (the message body), and the cursor value and id that order it.
 * The pair makes its idempotency key {@code <id>@<cursor>}, so a source must render them the same way on every read.
 */
public record PulledRecord(byte[] json, String cursor, String id) {

    public Checkpoint checkpoint() {
        return new Checkpoint(cursor, id);
    }
}
