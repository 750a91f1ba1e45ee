package dev.junction.kafka;

import dev.junction.SqlErrors;
import dev.junction.intake.AcceptedMessage;
import dev.junction.intake.JournalInTransaction;
import dev.junction.intake.NewMessage;
import dev.junction.partner.Partner;
import dev.junction.partner.PartnerEvent;
import dev.junction.partner.SyncJob;
import dev.junction.sync.PulledRecord;
import dev.junction.sync.SyncJournal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.stereotype.Component;

/**
 * Consumed records that cannot be messages of their job's event (a value that is not a JSON object), journaled as dead
 * letters of that event: the raw bytes ({@code application/octet-stream}) and the reason, never handed to delivery.
 * Keyed like the good records ({@code <partition>@<offset>}), so a redelivered one is not journaled twice.
 */
@Component
class PoisonRecords {

    private static final int MAX_ERROR = 2000;

    /** A record and why it was refused. */
    record Poison(PulledRecord record, String reason) {}

    private final DataSource dataSource;
    private final JournalInTransaction journal;
    private final Clock clock;

    PoisonRecords(DataSource dataSource, JournalInTransaction journal, Clock clock) {
        this.dataSource = dataSource;
        this.journal = journal;
        this.clock = clock;
    }

    /** Journals the records not journaled yet as dead letters, in one transaction; returns how many were new. */
    int journal(Partner partner, SyncJob job, List<Poison> poison) throws SQLException {
        if (poison.isEmpty()) {
            return 0;
        }
        PartnerEvent event = partner.event(job.event())
                .orElseThrow(() -> new IllegalStateException(partner.id() + " has no event " + job.event()));
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                int added = 0;
                for (Poison p : poison) {
                    String key = SyncJournal.key(p.record());
                    if (journaled(c, partner.id(), job.event(), key)) {
                        continue;
                    }
                    NewMessage m = new NewMessage("sync", partner.id(), job.event(), event.route(), key, null,
                            "application/octet-stream", p.record().json(), "{\"x-junction-sync-job\":\"" + job.id() + "\"}");
                    List<AcceptedMessage> appended = journal.append(c, List.of(m), "sync:" + partner.id() + "/" + job.id());
                    dead(c, appended.get(0).receiptId(), "Refused by sync job " + job.id() + ": " + p.reason());
                    added++;
                }
                c.commit();
                return added;
            } catch (SQLException | RuntimeException e) {
                SqlErrors.rollbackQuietly(c);
                throw e;
            }
        }
    }

    private static boolean journaled(Connection c, String partner, String event, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM message WHERE partner = ? AND event = ? AND idempotency_key = ?")) {
            ps.setString(1, partner);
            ps.setString(2, event);
            ps.setString(3, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private void dead(Connection c, String receiptId, String reason) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE message SET status = 'dead', dead_at = ?, last_error = ? WHERE receipt_id = ?")) {
            ps.setObject(1, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
            ps.setString(2, reason.length() <= MAX_ERROR ? reason : reason.substring(0, MAX_ERROR));
            ps.setString(3, receiptId);
            ps.executeUpdate();
        }
    }
}
