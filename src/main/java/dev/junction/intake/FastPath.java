package dev.junction.intake;

/**
 * Delivery's answer, before each insert, to "will you take this message right after its commit?". A message it will
 * take is journaled already leased to this instance (no claim round trip); one it will not is journaled unleased, so
 * the recovery poller, or another instance, claims it when a lane has room.
 */
public interface FastPath {

    /** True if the partner's lane has room for one more message besides {@code promised} ones of the same commit. */
    boolean hasRoom(String partner, int promised);
}
