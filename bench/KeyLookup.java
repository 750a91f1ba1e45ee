import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.Locale;

/**
 * The ERP ingest pipeline's key lookup (MirrorStore.load: which of a batch's keys are stored, with their hash) in four
 * SQL forms, on a table with erp_item's primary key (vendor, erp_id), as the table grows: bench/ingest.sh runs it with
 * LOOKUP=1 and RESULTS.md ("ERP ingest: where the time goes") quotes it.
 * <ul>
 *   <li>{@code in500}: MirrorStore.load's own {@code vendor = ? AND erp_id IN (?, ...)} in chunks of 500;</li>
 *   <li>{@code rowin500}: {@code (vendor, erp_id) IN ((?, ?), ...)} in chunks of 500;</li>
 *   <li>{@code any}: {@code vendor = ? AND erp_id = ANY(?)}, one array parameter per batch;</li>
 *   <li>{@code unnest}: {@code UNNEST(CAST(? AS VARCHAR ARRAY)) AS k(erp_id) JOIN ... ON vendor = ? AND erp_id = k.erp_id},
 *       one array parameter per batch (the same text on H2 and PostgreSQL).</li>
 * </ul>
 * Each round inserts 10,000 rows (fresh keys), then looks them up (all found, like a repeat pass) in 10 batches of
 * 1,000 with each form, best of 3 (of 1 when a run takes over a second); after round {@code analyzeAfter} it runs ANALYZE (PostgreSQL's planner has no
 * statistics on a fresh table until autovacuum analyzes it).
 *
 * <p>Usage: {@code java -cp <h2.jar>:<postgresql.jar> bench/KeyLookup.java <jdbcUrl> <user> <password> [rounds [analyzeAfter]]}.
 * Output, one line per round and form: {@code LOOKUP stored=<rows> analyzed=<0|1> form=<f> ms_per_10k_keys=<ms>}.
 */
public class KeyLookup {

    private static final String[] FORMS = {"in500", "rowin500", "any", "unnest"};

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 6;
        int analyzeAfter = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        try (Connection c = DriverManager.getConnection(args[0], args[1], args[2])) {
            try (Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS lookup_probe");
                s.execute("CREATE TABLE lookup_probe (vendor VARCHAR(63) NOT NULL, erp_id VARCHAR(128) NOT NULL,"
                        + " content_hash VARCHAR(64) NOT NULL, PRIMARY KEY (vendor, erp_id))");
            }
            boolean analyzed = false;
            for (int r = 0; r < rounds; r++) {
                if (r == analyzeAfter) {
                    try (Statement s = c.createStatement()) {
                        boolean h2 = c.getMetaData().getDatabaseProductName().startsWith("H2");
                        s.execute(h2 ? "ANALYZE TABLE lookup_probe" : "ANALYZE lookup_probe");
                    }
                    analyzed = true;
                }
                String[][] batches = new String[10][1000];
                c.setAutoCommit(false);
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO lookup_probe VALUES ('bench-erp', ?, ?)")) {
                    for (int b = 0; b < 10; b++) {
                        for (int i = 0; i < 1000; i++) {
                            batches[b][i] = "r" + r + "-" + String.format(Locale.ROOT, "%06d", b * 1000 + i);
                            ps.setString(1, batches[b][i]);
                            ps.setString(2, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
                            ps.addBatch();
                        }
                        ps.executeBatch();
                    }
                }
                c.commit();
                c.setAutoCommit(true);
                for (String form : FORMS) {
                    long best = Long.MAX_VALUE;
                    for (int rep = 0; rep < 3 && (rep == 0 || best <= 1_000_000_000L); rep++) {  // best of 3, or one when it takes > 1 s
                        long t0 = System.nanoTime();
                        int found = 0;
                        for (String[] keys : batches) {
                            found += lookup(c, form, keys);
                        }
                        best = Math.min(best, System.nanoTime() - t0);
                        if (found != 10000) {
                            throw new IllegalStateException(form + " found " + found + " of 10000");
                        }
                    }
                    System.out.printf(Locale.ROOT, "LOOKUP stored=%d analyzed=%d form=%s ms_per_10k_keys=%.1f%n", (r + 1) * 10000,
                            analyzed ? 1 : 0, form, best / 1e6);
                    System.out.flush();
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute("DROP TABLE lookup_probe");
            }
        }
    }

    static int lookup(Connection c, String form, String[] keys) throws SQLException {
        int found = 0;
        if (form.equals("any") || form.equals("unnest")) {
            String sql = form.equals("any")
                    ? "SELECT erp_id, content_hash FROM lookup_probe WHERE vendor = ? AND erp_id = ANY(?)"
                    : "SELECT e.erp_id, e.content_hash FROM UNNEST(CAST(? AS VARCHAR ARRAY)) AS k(erp_id)"
                            + " JOIN lookup_probe e ON e.vendor = ? AND e.erp_id = k.erp_id";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                Array array = c.createArrayOf("VARCHAR", keys);
                if (form.equals("any")) {
                    ps.setString(1, "bench-erp");
                    ps.setArray(2, array);
                } else {
                    ps.setArray(1, array);
                    ps.setString(2, "bench-erp");
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        found++;
                    }
                }
            }
            return found;
        }
        boolean rowIn = form.equals("rowin500");
        for (int from = 0; from < keys.length; from += 500) {
            int n = Math.min(500, keys.length - from);
            String sql = "SELECT erp_id, content_hash FROM lookup_probe WHERE " + (rowIn
                    ? "(vendor, erp_id) IN (" + String.join(", ", Collections.nCopies(n, "(?, ?)")) + ")"
                    : "vendor = ? AND erp_id IN (" + String.join(", ", Collections.nCopies(n, "?")) + ")");
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int p = 1;
                if (!rowIn) {
                    ps.setString(p++, "bench-erp");
                }
                for (int i = from; i < from + n; i++) {
                    if (rowIn) {
                        ps.setString(p++, "bench-erp");
                    }
                    ps.setString(p++, keys[i]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        found++;
                    }
                }
            }
        }
        return found;
    }
}
