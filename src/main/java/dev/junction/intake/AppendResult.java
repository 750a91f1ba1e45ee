package dev.junction.intake;

/**
 * The outcome of an append: the message's receipt, committed.
 *
 * @param replayed true when an earlier message with the same idempotency key already holds this receipt
 */
public record AppendResult(String receiptId, boolean replayed) {}
