import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Locale;

/**
 * What a reconcile run's first step costs on the database: MirrorRepair.live's
 * {@code SELECT erp_id, content_hash FROM erp_item WHERE vendor = ? AND deleted = FALSE} over ROWS items of one vendor,
 * in a table with erp_item's columns and primary key (V6__erp_agents.sql), as is and after adding a covering index
 * {@code (vendor, deleted, erp_id, content_hash)}. Best of 5 runs each (and each run), milliseconds, rows read; prints EXPLAIN too.
 *
 * <p>Usage: {@code java -cp <h2.jar or postgresql.jar> bench/ReconcileLive.java JDBC-URL USER PASSWORD [ROWS]}.
 * It creates and drops its own table {@code live_erp_item}; never point it at a hub's database in use.
 */
public class ReconcileLive {

    public static void main(String[] args) throws Exception {
        int rows = args.length > 3 ? Integer.parseInt(args[3]) : 100_000;
        try (Connection db = DriverManager.getConnection(args[0], args[1], args[2])) {
            try (Statement s = db.createStatement()) {
                s.execute("DROP TABLE IF EXISTS live_erp_item");
                s.execute("CREATE TABLE live_erp_item (vendor VARCHAR(63) NOT NULL, erp_id VARCHAR(128) NOT NULL, sku VARCHAR(128) NOT NULL,"
                        + " label VARCHAR(500) NOT NULL, unit VARCHAR(128) NOT NULL, vat VARCHAR(128) NOT NULL, family VARCHAR(128),"
                        + " subfamily VARCHAR(128), price_excl_vat DECIMAL(19, 2) NOT NULL, price_incl_vat DECIMAL(19, 2) NOT NULL,"
                        + " vat_amount DECIMAL(19, 2) NOT NULL, manage_stock BOOLEAN NOT NULL, allow_negative_stock BOOLEAN NOT NULL,"
                        + " barcode VARCHAR(128), content_hash VARCHAR(64) NOT NULL, erp_updated_at TIMESTAMP WITH TIME ZONE NOT NULL,"
                        + " deleted BOOLEAN DEFAULT FALSE NOT NULL, created_at TIMESTAMP WITH TIME ZONE NOT NULL,"
                        + " updated_at TIMESTAMP WITH TIME ZONE NOT NULL, PRIMARY KEY (vendor, erp_id))");
            }
            db.setAutoCommit(false);
            try (PreparedStatement ps = db.prepareStatement("INSERT INTO live_erp_item VALUES (?, ?, ?, ?, 'KG', '6', 'EPI', 'EPI01',"
                    + " 12.50, 13.19, 0.69, TRUE, FALSE, '3000000000001', ?, CURRENT_TIMESTAMP, FALSE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")) {
                for (int i = 0; i < rows; i++) {
                    String id = String.format(Locale.ROOT, "BX-%06d", i);
                    ps.setString(1, "bench-erp");
                    ps.setString(2, id);
                    ps.setString(3, "SKU-" + id);
                    ps.setString(4, "Filet de poulet fermier " + i);
                    ps.setString(5, String.format(Locale.ROOT, "%064x", (long) i * 2654435761L));
                    ps.addBatch();
                    if (i % 1000 == 999) {
                        ps.executeBatch();
                        db.commit();
                    }
                }
                ps.executeBatch();
                db.commit();
            }
            db.setAutoCommit(true);
            if (args[0].startsWith("jdbc:postgresql")) {
                try (Statement s = db.createStatement()) {
                    s.execute("ANALYZE live_erp_item");
                }
            }
            String sql = "SELECT erp_id, content_hash FROM live_erp_item WHERE vendor = ? AND deleted = FALSE";
            measure(db, sql, "as is");
            try (Statement s = db.createStatement()) {
                s.execute("CREATE INDEX live_erp_item_live ON live_erp_item (vendor, deleted, erp_id, content_hash)");
                if (args[0].startsWith("jdbc:postgresql")) {
                    s.execute("VACUUM ANALYZE live_erp_item");
                }
            }
            measure(db, sql, "covering index (vendor, deleted, erp_id, content_hash)");
            try (Statement s = db.createStatement()) {
                s.execute("DROP TABLE live_erp_item");
            }
        }
    }

    static void measure(Connection db, String sql, String what) throws Exception {
        try (PreparedStatement ps = db.prepareStatement("EXPLAIN " + sql)) {
            ps.setString(1, "bench-erp");
            try (ResultSet rs = ps.executeQuery()) {
                StringBuilder plan = new StringBuilder();
                while (rs.next()) {
                    plan.append(rs.getString(1).replaceAll("\\s+", " ")).append(" | ");
                }
                System.out.println("PLAN " + what + ": " + plan);
            }
        }
        long best = Long.MAX_VALUE;
        StringBuilder each = new StringBuilder();
        int n = 0;
        for (int run = 0; run < 5; run++) {
            long t0 = System.nanoTime();
            n = 0;
            try (PreparedStatement ps = db.prepareStatement(sql)) {
                ps.setString(1, "bench-erp");
                ps.setFetchSize(1000);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rs.getString(1);
                        rs.getString(2);
                        n++;
                    }
                }
            }
            best = Math.min(best, System.nanoTime() - t0);
            each.append(String.format(Locale.ROOT, " %.1f", (System.nanoTime() - t0) / 1e6));
        }
        System.out.printf(Locale.ROOT, "LIVE %s: %d rows, best of 5 %.1f ms (each:%s)%n", what, n, best / 1e6, each);
    }
}
