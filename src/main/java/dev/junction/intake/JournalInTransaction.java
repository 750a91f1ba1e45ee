package dev.junction.intake;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * Appends messages inside a transaction someone else opened and commits, for writes whose messages must commit or
 * roll back with them: the ERP mirror and its change feed never disagree. The messages are journaled unleased, so
 * the dispatcher's poller (or any instance) claims them once committed; {@link #announce} after the commit tells this
 * instance's delivery they are there.
 */
@Component
public class JournalInTransaction {

    private static final Logger log = LoggerFactory.getLogger(JournalInTransaction.class);

    private final Clock clock;
    private final ApplicationEventPublisher events;

    JournalInTransaction(Clock clock, ApplicationEventPublisher events) {
        this.clock = clock;
        this.events = events;
    }

    /** Inserts the messages on {@code c}, whose transaction the caller commits; returns them as they will be committed. */
    public List<AcceptedMessage> append(Connection c, List<NewMessage> messages, String correlationId) throws SQLException {
        if (messages.isEmpty()) {
            return List.of();
        }
        Instant now = clock.instant();
        List<MessageRows.Row> rows = new ArrayList<>(messages.size());
        List<AcceptedMessage> accepted = new ArrayList<>(messages.size());
        for (NewMessage m : messages) {
            String receiptId = ReceiptIds.next(now.toEpochMilli());
            rows.add(new MessageRows.Row(receiptId, m, correlationId, now, null, null));
            accepted.add(new AcceptedMessage(receiptId, m.partner(), m.event(), m.route(), correlationId, m.contentType(), m.payload(), now));
        }
        MessageRows.insert(c, rows);
        return accepted;
    }

    /** Call once the transaction committed. */
    public void announce(List<AcceptedMessage> committed) {
        if (committed.isEmpty()) {
            return;
        }
        try {
            events.publishEvent(new MessagesAccepted(List.of(), committed));
        } catch (RuntimeException e) {
            // Committed is committed: the recovery poller finds them.
            log.warn("Could not announce {} committed message(s) to delivery: {}", committed.size(), e.toString());
        }
    }
}
