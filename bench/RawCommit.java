import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The baseline the intake benchmark compares against: how many single-row transactions ONE connection can commit
 * per second on a database, i.e. the rate an intake with one fsync per request could reach at best.
 *
 * <p>Usage: {@code java -cp <h2.jar>:<postgresql.jar> bench/RawCommit.java <jdbcUrl> <user> <password> <seconds> [batchSeconds [payloadBytes]]}
 *
 * <p>The table mirrors the journal row that matters for I/O: a 36-character key, a payload (1 KiB unless payloadBytes
 * says otherwise, e.g. 65536 next to the intake benchmark's 64 KiB bodies) and a timestamp.
 * For H2 use the URL options of the hub's embedded default ({@code jdbc:h2:file:<dir>/raw;WRITE_DELAY=0}).
 * Output, one result per line, for scripts: {@code single_row_commits_per_s <n>}, then (unless batchSeconds is 0)
 * {@code batch100_rows_per_s <n>} and {@code batch100_commits_per_s <n>}.
 */
public class RawCommit {

    private static final int DEFAULT_PAYLOAD_BYTES = 1024;
    private static final int BATCH = 100;
    private static final long WARMUP_MILLIS = 1000;

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: RawCommit <jdbcUrl> <user> <password> <seconds> [batchSeconds [payloadBytes]]");
            System.exit(2);
        }
        String url = args[0];
        double seconds = Double.parseDouble(args[3]);
        double batchSeconds = args.length > 4 ? Double.parseDouble(args[4]) : 0;
        int payloadBytes = args.length > 5 ? Integer.parseInt(args[5]) : DEFAULT_PAYLOAD_BYTES;
        byte[] payload = new byte[payloadBytes];
        ThreadLocalRandom.current().nextBytes(payload);  // incompressible, like a real body on disk

        try (Connection c = DriverManager.getConnection(url, args[1], args[2])) {
            recreate(c);
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO raw_commit (id, payload, received_at) VALUES (?, ?, ?)")) {
                run(c, insert, payload, 1, WARMUP_MILLIS);  // JIT, statement cache, file growth
                Result single = run(c, insert, payload, 1, (long) (seconds * 1000));
                System.out.printf(Locale.ROOT, "single_row_commits_per_s %.1f%n", single.commitsPerSecond());
                if (batchSeconds > 0) {
                    Result batched = run(c, insert, payload, BATCH, (long) (batchSeconds * 1000));
                    System.out.printf(Locale.ROOT, "batch%d_rows_per_s %.1f%n", BATCH, batched.rowsPerSecond());
                    System.out.printf(Locale.ROOT, "batch%d_commits_per_s %.1f%n", BATCH, batched.commitsPerSecond());
                }
            }
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.execute("DROP TABLE raw_commit");
            }
        }
    }

    private static void recreate(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS raw_commit");
            s.execute("CREATE TABLE raw_commit (id VARCHAR(36) NOT NULL PRIMARY KEY, payload BYTEA NOT NULL,"
                    + " received_at TIMESTAMP WITH TIME ZONE NOT NULL)");
        }
    }

    /** Inserts {@code rowsPerCommit} rows and commits, over and over, for the given time. */
    private static Result run(Connection c, PreparedStatement insert, byte[] payload, int rowsPerCommit, long millis)
            throws SQLException {
        long commits = 0;
        long start = System.nanoTime();
        long deadline = start + millis * 1_000_000L;
        long now = start;
        while (now < deadline) {
            for (int i = 0; i < rowsPerCommit; i++) {
                insert.setString(1, UUID.randomUUID().toString());
                insert.setBytes(2, payload);
                insert.setObject(3, OffsetDateTime.now(ZoneOffset.UTC));
                if (rowsPerCommit == 1) {
                    insert.executeUpdate();
                } else {
                    insert.addBatch();
                }
            }
            if (rowsPerCommit > 1) {
                insert.executeBatch();
            }
            c.commit();
            commits++;
            now = System.nanoTime();
        }
        return new Result(commits, commits * rowsPerCommit, (now - start) / 1e9);
    }

    private record Result(long commits, long rows, double seconds) {
        double commitsPerSecond() {
            return commits / seconds;
        }

        double rowsPerSecond() {
            return rows / seconds;
        }
    }
}
