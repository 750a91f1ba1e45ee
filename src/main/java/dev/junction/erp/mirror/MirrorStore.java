package dev.junction.erp.mirror;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The mirror's SQL, on the connection of the batch's transaction. Portable between H2 and PostgreSQL: plain INSERT and
 * UPDATE batches rather than MERGE or ON CONFLICT, since the pipeline already knows which keys exist (it read them to
 * compare hashes). Updates are compare-and-set on the hash that was read, so a batch racing another on the same key
 * fails with a {@link Conflict} and is run again against what the other committed.
 */
final class MirrorStore {

    /** The stored state the pipeline compares a record with. */
    record Stored(String hash, OffsetDateTime erpUpdatedAt, boolean deleted) {}

    /** Another transaction changed a key between this batch's read and its write. */
    static final class Conflict extends Exception {
        Conflict(String message) {
            super(message, null, false, false);
        }
    }

    private MirrorStore() {}

    static Map<String, Stored> load(Connection c, Kind kind, String vendor, Collection<List<String>> keys) throws SQLException {
        Map<String, Stored> found = new HashMap<>();
        if (keys.isEmpty()) {
            return found;
        }
        String columns = kind.keyColumns().stream().map(col -> "t." + col).collect(Collectors.joining(", "))
                + ", t.content_hash, t.erp_updated_at, t.deleted";
        try (PreparedStatement ps = byKeys(c, kind.table(), kind.keyColumns(), vendor, new ArrayList<>(keys), columns, "");
             ResultSet rs = ps.executeQuery()) {
            int n = kind.keyColumns().size();
            while (rs.next()) {
                List<String> parts = new ArrayList<>(n);
                for (int k = 1; k <= n; k++) {
                    parts.add(rs.getString(k));
                }
                found.put(Kind.key(parts), new Stored(rs.getString(n + 1), rs.getObject(n + 2, OffsetDateTime.class),
                        rs.getBoolean(n + 3)));
            }
        }
        return found;
    }

    /** Which of {@code ids} are live (not deleted) records of the table: stock needs its item and warehouse. */
    static Set<String> live(Connection c, String table, String vendor, Set<String> ids) throws SQLException {
        Set<String> found = new HashSet<>();
        if (ids.isEmpty()) {
            return found;
        }
        List<List<String>> keys = ids.stream().map(List::of).toList();
        try (PreparedStatement ps = byKeys(c, table, List.of("erp_id"), vendor, keys, "t.erp_id", " AND t.deleted = FALSE");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                found.add(rs.getString(1));
            }
        }
        return found;
    }

    /**
     * One lookup of all of a batch's keys: the keys as arrays, unnested into a table joined on the whole primary key.
     * The same SQL runs on H2 and PostgreSQL and costs the same however large the mirror is. The obvious
     * {@code erp_id IN (?, ...)} did not: H2 used only the vendor prefix of the primary key and compared every row of
     * the vendor with the list (7.4 s for 10,000 keys among 60,000 rows), and PostgreSQL planned it badly until the
     * table had statistics (1.4 to 7.9 s on a new vendor's first load); this form took 14 to 40 ms on both
     * (bench/RESULTS.md, "ERP ingest").
     */
    private static PreparedStatement byKeys(Connection c, String table, List<String> keyColumns, String vendor,
                                            List<List<String>> keys, String select, String filter) throws SQLException {
        String arrays = String.join(", ", java.util.Collections.nCopies(keyColumns.size(), "CAST(? AS VARCHAR ARRAY)"));
        String sql = "SELECT " + select + " FROM UNNEST(" + arrays + ") AS k(" + String.join(", ", keyColumns) + ") JOIN "
                + table + " t ON t.vendor = ? AND "
                + keyColumns.stream().map(col -> "t." + col + " = k." + col).collect(Collectors.joining(" AND ")) + filter;
        PreparedStatement ps = c.prepareStatement(sql);
        try {
            for (int k = 0; k < keyColumns.size(); k++) {
                int col = k;
                ps.setArray(k + 1, c.createArrayOf("VARCHAR", keys.stream().map(key -> key.get(col)).toArray(String[]::new)));
            }
            ps.setString(keyColumns.size() + 1, vendor);
            return ps;
        } catch (SQLException e) {
            ps.close();
            throw e;
        }
    }

    static void insert(Connection c, Kind kind, String vendor, List<Prepared> records, OffsetDateTime now) throws SQLException {
        if (records.isEmpty()) {
            return;
        }
        List<String> cols = new ArrayList<>(kind.keyColumns());
        cols.addAll(kind.columns());
        String sql = "INSERT INTO " + kind.table() + " (vendor, " + String.join(", ", cols)
                + ", content_hash, erp_updated_at, deleted, created_at, updated_at) VALUES (?"
                + ", ?".repeat(cols.size()) + ", ?, ?, FALSE, ?, ?)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (Prepared p : records) {
                int i = 1;
                ps.setString(i++, vendor);
                for (String part : p.keyParts()) {
                    ps.setString(i++, part);
                }
                for (String col : kind.columns()) {
                    set(ps, i++, p.column(col));
                }
                ps.setString(i++, p.hash());
                ps.setObject(i++, p.updatedAt());
                ps.setObject(i++, now);
                ps.setObject(i, now);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Each record replaces the stored one whose hash is {@code expected.get(key)}; a row that changed meanwhile is a conflict. */
    static void update(Connection c, Kind kind, String vendor, List<Prepared> records, Map<String, String> expected,
                       OffsetDateTime now) throws SQLException, Conflict {
        if (records.isEmpty()) {
            return;
        }
        String sql = "UPDATE " + kind.table() + " SET " + kind.columns().stream().map(col -> col + " = ?").collect(Collectors.joining(", "))
                + ", content_hash = ?, erp_updated_at = ?, deleted = FALSE, updated_at = ? WHERE vendor = ? AND "
                + kind.keyColumns().stream().map(col -> col + " = ?").collect(Collectors.joining(" AND ")) + " AND content_hash = ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (Prepared p : records) {
                int i = 1;
                for (String col : kind.columns()) {
                    set(ps, i++, p.column(col));
                }
                ps.setString(i++, p.hash());
                ps.setObject(i++, p.updatedAt());
                ps.setObject(i++, now);
                ps.setString(i++, vendor);
                for (String part : p.keyParts()) {
                    ps.setString(i++, part);
                }
                ps.setString(i, expected.get(p.key()));
                ps.addBatch();
            }
            int[] counts = ps.executeBatch();
            for (int k = 0; k < counts.length; k++) {
                // SUCCESS_NO_INFO (-2) says the row was written without saying how many; only 0 is a miss.
                if (counts[k] == 0) {
                    throw new Conflict(kind.label() + " " + records.get(k).key() + " changed while this batch ran");
                }
            }
        }
    }

    /**
     * Marks the given records deleted, each only if it is live and its hash is still the one reconciliation compared
     * (a batch that changed it meanwhile wins; the next run looks again). Returns the rows it marked, as read after.
     */
    static List<Map<String, Object>> markDeleted(Connection c, Kind kind, String vendor, List<BatchIngest.Deletion> deletions,
                                                 OffsetDateTime now) throws SQLException {
        List<Map<String, Object>> marked = new ArrayList<>();
        String sql = "UPDATE " + kind.table() + " SET deleted = TRUE, updated_at = ? WHERE vendor = ? AND "
                + kind.keyColumns().stream().map(col -> col + " = ?").collect(Collectors.joining(" AND "))
                + " AND content_hash = ? AND deleted = FALSE";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (BatchIngest.Deletion d : deletions) {
                int i = 1;
                ps.setObject(i++, now);
                ps.setString(i++, vendor);
                for (String part : d.keyParts()) {
                    ps.setString(i++, part);
                }
                ps.setString(i, d.expectedHash());
                if (ps.executeUpdate() == 1) {
                    marked.add(read(c, kind, vendor, d.keyParts()));
                }
            }
        }
        return marked;
    }

    /** A row's key, as the pipeline and the reconcile protocol write it. */
    static String key(Kind kind, Map<String, Object> row) {
        return Kind.key(kind.keyColumns().stream().map(col -> (String) row.get(col)).toList());
    }

    /** One stored record's columns (key columns, stored columns and the bookkeeping ones), or null. */
    static Map<String, Object> read(Connection c, Kind kind, String vendor, List<String> keyParts) throws SQLException {
        String sql = "SELECT * FROM " + kind.table() + " WHERE vendor = ? AND "
                + kind.keyColumns().stream().map(col -> col + " = ?").collect(Collectors.joining(" AND "));
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, vendor);
            for (int i = 0; i < keyParts.size(); i++) {
                ps.setString(i + 2, keyParts.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? row(rs) : null;
            }
        }
    }

    /** At most {@code limit} stored records in key order, after {@code after} (exclusive; null from the start). */
    static List<Map<String, Object>> list(Connection c, Kind kind, String vendor, List<String> after, int limit) throws SQLException {
        String keyCols = String.join(", ", kind.keyColumns());
        String lhs = kind.keyColumns().size() == 1 ? keyCols : "(" + keyCols + ")";
        String rhs = kind.keyColumns().size() == 1 ? "?" : "(" + String.join(", ", java.util.Collections.nCopies(kind.keyColumns().size(), "?")) + ")";
        String sql = "SELECT * FROM " + kind.table() + " WHERE vendor = ?" + (after == null ? "" : " AND " + lhs + " > " + rhs)
                + " ORDER BY " + keyCols + " LIMIT ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            ps.setString(i++, vendor);
            if (after != null) {
                for (String part : after) {
                    ps.setString(i++, part);
                }
            }
            ps.setInt(i, limit);
            try (ResultSet rs = ps.executeQuery()) {
                List<Map<String, Object>> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(row(rs));
                }
                return rows;
            }
        }
    }

    private static Map<String, Object> row(ResultSet rs) throws SQLException {
        Map<String, Object> row = new HashMap<>();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
            String name = rs.getMetaData().getColumnLabel(i).toLowerCase(java.util.Locale.ROOT);
            int type = rs.getMetaData().getColumnType(i);
            row.put(name, type == Types.TIMESTAMP_WITH_TIMEZONE || type == Types.TIMESTAMP
                    ? rs.getObject(i, OffsetDateTime.class) : rs.getObject(i));
        }
        return row;
    }

    private static void set(PreparedStatement ps, int i, Object value) throws SQLException {
        if (value == null) {
            // Types.NULL lets each driver infer the column's type; PostgreSQL refuses a VARCHAR null in a NUMERIC column.
            ps.setNull(i, Types.NULL);
        } else if (value instanceof BigDecimal d) {
            ps.setBigDecimal(i, d);
        } else if (value instanceof Boolean b) {
            ps.setBoolean(i, b);
        } else if (value instanceof Integer n) {
            ps.setInt(i, n);
        } else {
            ps.setString(i, value.toString());
        }
    }
}
