package dev.junction.intake;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/** The journal's two inserts (message and body), shared by group commit and by appends inside a caller's transaction. */
final class MessageRows {

    private static final String INSERT = """
            INSERT INTO message (receipt_id, kind, partner, event, route, idempotency_key, correlation_id, content_type,
                                 status, attempts, received_at, next_attempt_at, lease_owner, lease_expires_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'accepted', 0, ?, ?, ?, ?)""";
    // The body has a table of its own, so that delivery's updates of the message row do not rewrite it (V4).
    private static final String INSERT_BODY = "INSERT INTO message_body (receipt_id, payload, headers) VALUES (?, ?, ?)";

    /** One message to insert, due at once; leased to {@code leaseOwner} until {@code leaseExpiresAt}, or unleased (nulls). */
    record Row(String receiptId, NewMessage message, String correlationId, Instant receivedAt, String leaseOwner,
               Instant leaseExpiresAt) {}

    private MessageRows() {}

    /** Messages first: a key another instance took meanwhile fails there, before any body is written. */
    static void insert(Connection c, List<Row> rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            for (Row r : rows) {
                NewMessage m = r.message();
                OffsetDateTime at = OffsetDateTime.ofInstant(r.receivedAt(), ZoneOffset.UTC);
                ps.setString(1, r.receiptId());
                ps.setString(2, m.kind());
                ps.setString(3, m.partner());
                ps.setString(4, m.event());
                ps.setString(5, m.route());
                ps.setString(6, m.idempotencyKey());
                ps.setString(7, r.correlationId());
                ps.setString(8, m.contentType());
                ps.setObject(9, at);
                ps.setObject(10, at);
                ps.setString(11, r.leaseOwner());
                ps.setObject(12, r.leaseExpiresAt() == null ? null : OffsetDateTime.ofInstant(r.leaseExpiresAt(), ZoneOffset.UTC));
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_BODY)) {
            for (Row r : rows) {
                ps.setString(1, r.receiptId());
                ps.setBytes(2, r.message().payload());
                ps.setString(3, r.message().headers());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
