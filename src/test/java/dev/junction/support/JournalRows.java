package dev.junction.support;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.springframework.jdbc.core.JdbcTemplate;

/** Journal rows written straight into the database, as intake commits them: a message row and its body (V4). */
public final class JournalRows {

    private JournalRows() {}

    /** {@code n} due, unleased {@code {}} messages of a partner's event: a backlog, without going through HTTP. */
    public static List<String> pending(JdbcTemplate jdbc, String partner, String event, String route, int n, OffsetDateTime at) {
        List<String> ids = IntStream.range(0, n).mapToObj(i -> UUID.randomUUID().toString()).toList();
        jdbc.batchUpdate("""
                INSERT INTO message (receipt_id, kind, partner, event, route, correlation_id, content_type, status, attempts,
                                     received_at, next_attempt_at)
                VALUES (?, 'webhook', ?, ?, ?, ?, 'application/json', 'accepted', 0, ?, ?)""",
                ids.stream().map(id -> new Object[] {id, partner, event, route, id, at, at}).toList());
        jdbc.batchUpdate("INSERT INTO message_body (receipt_id, payload, headers) VALUES (?, ?, '{}')",
                ids.stream().map(id -> new Object[] {id, "{}".getBytes(StandardCharsets.UTF_8)}).toList());
        return ids;
    }

    /** A row read with {@code queryForMap}, keyed by lower-case column name (H2 answers in upper case, PostgreSQL in lower). */
    public static Map<String, Object> columns(Map<String, Object> row) {
        Map<String, Object> out = new HashMap<>();
        row.forEach((k, v) -> out.put(k.toLowerCase(Locale.ROOT), v));
        return out;
    }

    /** The body row of a message inserted by hand. */
    public static void body(JdbcTemplate jdbc, String receiptId, byte[] payload) {
        jdbc.update("INSERT INTO message_body (receipt_id, payload, headers) VALUES (?, ?, '{}')", receiptId, payload);
    }
}
