import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ERP ingest benchmark's client (bench/ingest.sh runs it): against ONE running hub and its database, in rounds,
 * interleaved (the order of raw and hub alternates from round to round):
 * <ul>
 *   <li>{@code first}: BATCHES x SIZE item records (fresh erpIds: a prefix per round) posted sequentially, one batch at
 *       a time, to {@code POST /agents/{vendor}/items/batch}; every answer must count SIZE {@code created};</li>
 *   <li>{@code repeat}: the same batches again, byte for byte; every answer must count SIZE {@code unchanged};</li>
 *   <li>{@code raw}: the same rows by plain JDBC into {@code raw_erp_item} (the columns, types and primary key of
 *       {@code erp_item}, V6__erp_agents.sql), one transaction per batch: a SELECT of the batch's existing keys in
 *       chunks of 500 keys, then one INSERT batch of the rows not found (all of them), commit. The SELECT is the one
 *       the database answers from its primary key: {@code --raw-select rowin} (default), a row-value IN list
 *       {@code (vendor, erp_id) IN ((?, ?), ...)}, for H2; {@code --raw-select in}, MirrorStore.load's own
 *       {@code vendor = ? AND erp_id IN (?, ...)}, for PostgreSQL (whose planner turns row-value lists into OR-ed
 *       index probes, several times slower);</li>
 *   <li>{@code raw-in}: the same into {@code raw_erp_item_in}, with MirrorStore.load's exact SELECT instead,
 *       {@code vendor = ? AND erp_id IN (?, ...)} (chunks of 500): on H2 2.3 that one scans every row of the vendor
 *       and compares it with the list, so its cost grows with the table.</li>
 * </ul>
 * Any other answer (status, counts) stops the program with exit code 1: a figure of a pass that did not do its work
 * is never printed.
 *
 * <p>Usage: {@code java -cp <h2.jar>:<postgresql.jar> bench/Ingest.java --hub URL --vendor V --token T --jdbc URL
 * --user U --password P [--rounds 5] [--warmup 2] [--batches 10] [--size 1000] [--run-id ID] [--raw 1]
 * [--raw-select rowin|in] [--analyze 0|1] [--ops-key K --drain-seconds 300]}. With {@code --analyze 1} (PostgreSQL)
 * it runs ANALYZE on the hub's and the raw tables once the warm-up rounds are done. With {@code --ops-key}, after each first pass it waits until the hub counts every
 * change message of the vendor delivered (GET /ops/partners), so that the next pass does not compete with the change
 * feed's deliveries, and prints how long that took.
 *
 * <p>Output, one result per line, for scripts: {@code INGEST round=<r> measure=<raw|raw-in|first|repeat|drain> records=<n>
 * seconds=<s> per_s=<n>}.
 */
public class Ingest {

    private static final String[] VAT = {"6", "7", "5", "13", "8", "17", "20", "2", "18", "22", "11", "3", "21", "12", "19", "1",
        "15", "4", "10", "14", "9", "16"};
    /** Mapped family codes of the shipped export, each with its mapped subfamilies. */
    private static final String[][] FAMILIES = {
        {"EPI", "EPI01", "EPI02", "EPI03", "EPI04", "EPI05", "EPI06"},
        {"BOI", "BOI01", "BOI02", "BOI03", "BOI04", "BOI05", "BOI06", "BOI07", "BOI08"},
        {"FL", "FL01", "FL02", "FL03"},
        {"HYG", "HYG01", "HYG02", "HYG03", "HYG04"},
        {"FRA", "FRA01", "FRA02", "FRA03", "FRA04", "FRA05"},
        {"SUR", "SUR01", "SUR02", "SUR03", "SUR04"},
        {"BOU", "BOU01", "BOU02", "BOU03", "BOU04", "BOU05"},
    };
    private static final String[] WORDS = {"Filet de poulet fermier", "Creme fraiche epaisse", "Huile d'olive vierge",
        "Tomates grappe bio", "Emmental rape francais", "Saumon fume tranche", "Biere blonde artisanale", "Farine de ble T55"};
    private static final Pattern COUNTS = Pattern.compile("\"counts\"\\s*:\\s*\\{([^}]*)\\}");
    private static final Pattern COUNT = Pattern.compile("\"(\\w+)\"\\s*:\\s*(\\d+)");
    private static final Pattern DELIVERED = Pattern.compile("\"delivered\"\\s*:\\s*(\\d+)");
    private static final int IN_CHUNK = 500;

    /** One item, as posted and as the raw baseline stores it. */
    record Item(String erpId, String sku, String label, String unit, String vat, String family, String subfamily,
                BigDecimal excl, BigDecimal incl, String barcode, OffsetDateTime updatedAt, String hash) {

        String json() {
            return "{\"erpId\":\"" + erpId + "\",\"sku\":\"" + sku + "\",\"label\":\"" + label + "\",\"unit\":\"" + unit
                    + "\",\"vat\":\"" + vat + "\",\"family\":\"" + family + "\",\"subfamily\":\"" + subfamily
                    + "\",\"priceExclVat\":" + excl.toPlainString() + ",\"priceInclVat\":" + incl.toPlainString()
                    + ",\"manageStock\":true,\"allowNegativeStock\":false,\"barcode\":\"" + barcode + "\",\"updatedAt\":\"" + updatedAt + "\"}";
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        String hub = o.get("hub");
        int rounds = Integer.parseInt(o.getOrDefault("rounds", "5"));
        int warmup = Integer.parseInt(o.getOrDefault("warmup", "2"));
        int batches = Integer.parseInt(o.getOrDefault("batches", "10"));
        int size = Integer.parseInt(o.getOrDefault("size", "1000"));
        String runId = o.getOrDefault("run-id", Long.toString(System.currentTimeMillis() % 100000, 36));
        boolean raw = !"0".equals(o.getOrDefault("raw", "1"));
        boolean rawRowIn = !"in".equals(o.getOrDefault("raw-select", "rowin"));
        boolean analyze = "1".equals(o.getOrDefault("analyze", "0"));
        String opsKey = o.get("ops-key");
        double drainSeconds = Double.parseDouble(o.getOrDefault("drain-seconds", "300"));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

        try (Connection db = DriverManager.getConnection(o.get("jdbc"), o.get("user"), o.getOrDefault("password", ""))) {
            if (raw) {
                createRawTable(db);
            }
            long changes = 0;
            for (int r = 1 - warmup; r <= rounds; r++) {
                boolean measured = r >= 1;
                if (r == 1 && analyze) {
                    analyze(db, raw);
                }
                String prefix = runId + (measured ? "-r" + r : "-w" + (r + warmup)) + "-";
                List<List<Item>> data = items(prefix, batches, size);
                List<byte[]> bodies = new ArrayList<>();
                for (List<Item> batch : data) {
                    StringBuilder b = new StringBuilder(batch.size() * 330).append("{\"items\":[");
                    for (int i = 0; i < batch.size(); i++) {
                        b.append(i == 0 ? "" : ",").append(batch.get(i).json());
                    }
                    bodies.add(b.append("]}").toString().getBytes(StandardCharsets.UTF_8));
                }
                // Alternate which comes first, so that a drift of the machine's load does not favour one side.
                boolean rawFirst = (r & 1) == 1;
                if (raw && rawFirst) {
                    report(r, "raw", batches * size, rawPass(db, o.get("vendor"), data, "raw_erp_item", rawRowIn), measured);
                    report(r, "raw-in", batches * size, rawPass(db, o.get("vendor"), data, "raw_erp_item_in", false), measured);
                }
                report(r, "first", batches * size, hubPass(client, hub, o, bodies, size, "created"), measured);
                changes += (long) batches * size;
                if (opsKey != null) {
                    report(r, "drain", batches * size, drain(client, hub, opsKey, o.get("vendor"), changes, drainSeconds), measured);
                }
                report(r, "repeat", batches * size, hubPass(client, hub, o, bodies, size, "unchanged"), measured);
                if (raw && !rawFirst) {
                    report(r, "raw-in", batches * size, rawPass(db, o.get("vendor"), data, "raw_erp_item_in", false), measured);
                    report(r, "raw", batches * size, rawPass(db, o.get("vendor"), data, "raw_erp_item", rawRowIn), measured);
                }
            }
            if (raw) {
                try (Statement s = db.createStatement()) {
                    s.execute("DROP TABLE raw_erp_item");
                    s.execute("DROP TABLE raw_erp_item_in");
                }
            }
        }
    }

    static void report(int round, String measure, int records, double seconds, boolean measured) {
        if (!measured) {
            System.err.printf(Locale.ROOT, "warm-up %s: %.3f s%n", measure, seconds);
            return;
        }
        System.out.printf(Locale.ROOT, "INGEST round=%d measure=%s records=%d seconds=%.4f per_s=%s%n", round, measure, records, seconds,
                seconds < 0 ? "-" : String.format(Locale.ROOT, "%.1f", records / seconds));
        System.out.flush();
    }

    /** Deterministic realistic items: ~30-character labels, unit KG, mapped VAT/family/subfamily codes, 2-decimal prices. */
    static List<List<Item>> items(String prefix, int batches, int size) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        List<List<Item>> all = new ArrayList<>(batches);
        OffsetDateTime base = OffsetDateTime.of(2026, 11, 30, 8, 0, 0, 0, ZoneOffset.ofHours(1));
        for (int b = 0; b < batches; b++) {
            List<Item> batch = new ArrayList<>(size);
            for (int k = 0; k < size; k++) {
                int n = b * size + k;
                String id = prefix + String.format(Locale.ROOT, "%06d", n);
                String[] fam = FAMILIES[n % FAMILIES.length];
                BigDecimal excl = BigDecimal.valueOf(50 + (n * 7919L) % 9950, 2);
                BigDecimal incl = excl.multiply(new BigDecimal("1.055")).setScale(2, RoundingMode.HALF_UP);
                String label = WORDS[n % WORDS.length] + " " + String.format(Locale.ROOT, "%05d", n % 100000);
                String barcode = "3" + String.format(Locale.ROOT, "%012d", (n * 1000003L) % 1_000_000_000_000L);
                Item tmp = new Item(id, "SKU-" + id, label, "KG", VAT[n % VAT.length], fam[0], fam[1 + n % (fam.length - 1)], excl, incl,
                        barcode, base.plusSeconds(n), null);
                String hash = HexFormat.of().formatHex(sha.digest(tmp.json().getBytes(StandardCharsets.UTF_8)));
                batch.add(new Item(tmp.erpId(), tmp.sku(), tmp.label(), tmp.unit(), tmp.vat(), tmp.family(), tmp.subfamily(), excl, incl,
                        barcode, tmp.updatedAt(), hash));
            }
            all.add(batch);
        }
        return all;
    }

    /** Seconds for the batches posted one after the other; fails unless every record of every batch has {@code expect}. */
    static double hubPass(HttpClient client, String hub, Map<String, String> o, List<byte[]> bodies, int size, String expect)
            throws Exception {
        URI uri = URI.create(hub + "/agents/" + o.get("vendor") + "/items/batch");
        long t0 = System.nanoTime();
        List<String> answers = new ArrayList<>(bodies.size());
        for (byte[] body : bodies) {
            HttpResponse<String> res = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(120))
                    .header("Authorization", "Bearer " + o.get("token")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() != 200) {
                fail("batch answered " + res.statusCode() + ": " + abbreviate(res.body()));
            }
            answers.add(res.body());
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        for (String answer : answers) {  // checked after the clock stopped: the client's parsing is not the hub's time
            Matcher m = COUNTS.matcher(answer);
            if (!m.find()) {
                fail("no counts in the answer: " + abbreviate(answer));
            }
            Map<String, Long> counts = new HashMap<>();
            Matcher c = COUNT.matcher(m.group(1));
            while (c.find()) {
                counts.put(c.group(1), Long.parseLong(c.group(2)));
            }
            for (String status : List.of("created", "updated", "unchanged", "stale", "rejected")) {
                long want = status.equals(expect) ? size : 0;
                if (counts.getOrDefault(status, -1L) != want) {
                    fail("expected every record " + expect + ", the hub counted " + m.group(0) + ": " + abbreviate(answer));
                }
            }
            if (answer.contains("\"warnings\":[{")) {
                fail("a record has warnings (a family/subfamily without mapping?): " + abbreviate(answer));
            }
        }
        return seconds;
    }

    /** Seconds until the hub counts {@code expected} messages of the vendor delivered, or -1 past the deadline. */
    static double drain(HttpClient client, String hub, String opsKey, String vendor, long expected, double deadlineSeconds) throws Exception {
        long t0 = System.nanoTime();
        long delivered = 0;
        while ((System.nanoTime() - t0) / 1e9 < deadlineSeconds) {
            HttpResponse<String> res = client.send(HttpRequest.newBuilder(URI.create(hub + "/ops/partners"))
                    .timeout(Duration.ofSeconds(30)).header("X-API-Key", opsKey).build(), HttpResponse.BodyHandlers.ofString());
            int at = res.body().indexOf("\"partner\":\"" + vendor + "\"");
            if (res.statusCode() != 200 || at < 0) {
                fail("GET /ops/partners: " + res.statusCode() + " without " + vendor);
            }
            int end = res.body().indexOf("\"partner\":\"", at + 1);
            Matcher m = DELIVERED.matcher(res.body().substring(at, end < 0 ? res.body().length() : end));
            delivered = m.find() ? Long.parseLong(m.group(1)) : 0;
            if (delivered >= expected) {
                return (System.nanoTime() - t0) / 1e9;
            }
            Thread.sleep(200);
        }
        System.err.printf(Locale.ROOT, "the change feed did not drain in %.0f s: %d of %d delivered%n", deadlineSeconds, delivered, expected);
        return -1;
    }

    /**
     * PostgreSQL: the statistics autovacuum would have gathered by the time a mirror holds this many rows (it analyzes
     * a table after 10% of it changed, at most a minute later). Without them, a fresh table's planner estimates make the
     * 500-key IN lookup a scan that compares each row with the list, for the hub and raw alike.
     */
    static void analyze(Connection db, boolean raw) throws SQLException {
        boolean auto = db.getAutoCommit();
        db.setAutoCommit(true);
        try (Statement s = db.createStatement()) {
            s.execute(raw ? "ANALYZE erp_item, raw_erp_item, raw_erp_item_in" : "ANALYZE erp_item");
        }
        db.setAutoCommit(auto);
        System.err.println("ANALYZE done after the warm-up");
    }

    static void createRawTable(Connection db) throws SQLException {
        for (String table : List.of("raw_erp_item", "raw_erp_item_in")) {
            createRawTable(db, table);
        }
    }

    static void createRawTable(Connection db, String table) throws SQLException {
        try (Statement s = db.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + table);
            // erp_item of V6__erp_agents.sql, column for column.
            s.execute("CREATE TABLE " + table + " (vendor VARCHAR(63) NOT NULL, erp_id VARCHAR(128) NOT NULL, sku VARCHAR(128) NOT NULL,"
                    + " label VARCHAR(500) NOT NULL, unit VARCHAR(128) NOT NULL, vat VARCHAR(128) NOT NULL, family VARCHAR(128),"
                    + " subfamily VARCHAR(128), price_excl_vat DECIMAL(19, 2) NOT NULL, price_incl_vat DECIMAL(19, 2) NOT NULL,"
                    + " vat_amount DECIMAL(19, 2) NOT NULL, manage_stock BOOLEAN NOT NULL, allow_negative_stock BOOLEAN NOT NULL,"
                    + " barcode VARCHAR(128), content_hash VARCHAR(64) NOT NULL, erp_updated_at TIMESTAMP WITH TIME ZONE NOT NULL,"
                    + " deleted BOOLEAN DEFAULT FALSE NOT NULL, created_at TIMESTAMP WITH TIME ZONE NOT NULL,"
                    + " updated_at TIMESTAMP WITH TIME ZONE NOT NULL, PRIMARY KEY (vendor, erp_id))");
        }
    }

    /** Seconds for the raw upsert of every batch: per batch and transaction, SELECT the existing keys, INSERT the others. */
    static double rawPass(Connection db, String vendor, List<List<Item>> data, String table, boolean rowIn) throws SQLException {
        db.setAutoCommit(false);
        long t0 = System.nanoTime();
        int inserted = 0;
        for (List<Item> batch : data) {
            Set<String> existing = new HashSet<>();
            for (int from = 0; from < batch.size(); from += IN_CHUNK) {
                List<Item> chunk = batch.subList(from, Math.min(batch.size(), from + IN_CHUNK));
                String where = rowIn
                        ? "(vendor, erp_id) IN (" + String.join(", ", Collections.nCopies(chunk.size(), "(?, ?)")) + ")"
                        : "vendor = ? AND erp_id IN (" + String.join(", ", Collections.nCopies(chunk.size(), "?")) + ")";
                try (PreparedStatement ps = db.prepareStatement("SELECT erp_id, content_hash, erp_updated_at, deleted FROM " + table
                        + " WHERE " + where)) {
                    int p = 1;
                    if (!rowIn) {
                        ps.setString(p++, vendor);
                    }
                    for (Item it : chunk) {
                        if (rowIn) {
                            ps.setString(p++, vendor);
                        }
                        ps.setString(p++, it.erpId());
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            existing.add(rs.getString(1));
                        }
                    }
                }
            }
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
            try (PreparedStatement ps = db.prepareStatement("INSERT INTO " + table + " (vendor, erp_id, sku, label, unit, vat, family,"
                    + " subfamily, price_excl_vat, price_incl_vat, vat_amount, manage_stock, allow_negative_stock, barcode, content_hash,"
                    + " erp_updated_at, deleted, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, FALSE, ?, ?)")) {
                for (Item it : batch) {
                    if (existing.contains(it.erpId())) {
                        continue;
                    }
                    int i = 1;
                    ps.setString(i++, vendor);
                    ps.setString(i++, it.erpId());
                    ps.setString(i++, it.sku());
                    ps.setString(i++, it.label());
                    ps.setString(i++, it.unit());
                    ps.setString(i++, it.vat());
                    ps.setString(i++, it.family());
                    ps.setString(i++, it.subfamily());
                    ps.setBigDecimal(i++, it.excl());
                    ps.setBigDecimal(i++, it.incl());
                    ps.setBigDecimal(i++, it.incl().subtract(it.excl()));
                    ps.setBoolean(i++, true);
                    ps.setBoolean(i++, false);
                    ps.setString(i++, it.barcode());
                    ps.setString(i++, it.hash());
                    ps.setObject(i++, it.updatedAt());
                    ps.setObject(i++, now);
                    ps.setObject(i, now);
                    ps.addBatch();
                    inserted++;
                }
                ps.executeBatch();
            }
            db.commit();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (inserted != data.size() * data.get(0).size()) {
            fail("raw: " + inserted + " rows inserted, expected " + data.size() * data.get(0).size() + " (fresh keys)");
        }
        return seconds;
    }

    static String abbreviate(String s) {
        return s.length() > 600 ? s.substring(0, 600) + "..." : s;
    }

    static void fail(String message) {
        System.err.println("INGEST FAILED: " + message);
        System.exit(1);
    }
}
