package dev.junction.intake;

import java.util.List;

/**
 * Published right after a journal commit, with the messages it stored. The {@code leased} ones are leased to this
 * instance already, so delivery can start at once without polling; if this process dies first, the lease expires and
 * any instance recovers them from the database. The {@code unleased} ones found no room in their partner's lane
 * ({@link FastPath}) and wait in the database to be claimed.
 */
public record MessagesAccepted(List<AcceptedMessage> leased, List<AcceptedMessage> unleased) {}
