package dev.junction.intake;

import java.util.List;

/**
 * Published right after a journal commit, with the messages it stored. They are leased to this instance already,
 * so delivery can start at once without polling; if this process dies first, the lease expires and any instance
 * recovers them from the database.
 */
public record MessagesAccepted(List<AcceptedMessage> messages) {}
