package dev.junction.sync.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.partner.SyncJob;
import dev.junction.sync.Checkpoint;
import dev.junction.sync.Page;
import dev.junction.sync.PulledRecord;
import dev.junction.sync.sql.DatasourceSettings.Datasource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TimeZone;
import java.util.stream.IntStream;
import org.apache.camel.Endpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;

/**
 * The SQL source against a real second database (a subclass per database: H2 and PostgreSQL), through the real
 * camel-sql component. The JVM runs in a zone that is not UTC, as production JVMs may: timestamps without a zone must
 * still render, bind and compare as UTC.
 */
abstract class SqlPageSourceContract {

    /** The contract's example query (SYNC-JOBS.md), verbatim. */
    static final String CONTRACT_QUERY = """
            SELECT * FROM orders WHERE CAST(:#cursor AS TIMESTAMP) IS NULL OR updated_at > :#cursor
               OR (updated_at = :#cursor AND id > :#id)
            ORDER BY updated_at, id FETCH FIRST :#pageSize ROWS ONLY""";

    /** The form partner-onboarding/sync-sql.md recommends: a NULL :#id (a lookback, a checkpoint moved by hand) includes the cursor's own rows. */
    static final String INCLUSIVE_QUERY = """
            SELECT * FROM orders WHERE CAST(:#cursor AS TIMESTAMP) IS NULL OR updated_at > :#cursor
               OR (updated_at = :#cursor AND (CAST(:#id AS VARCHAR(64)) IS NULL OR id > :#id))
            ORDER BY updated_at, id FETCH FIRST :#pageSize ROWS ONLY""";

    static final String PASSWORD = "Leg4cy-s3cret-pw";
    static final LocalDateTime T0 = LocalDateTime.parse("2026-11-30T10:00:00.123456");
    static final int ROWS = 23;
    static final int RUN = 5;

    private static TimeZone jvmZone;

    final ObjectMapper json = new ObjectMapper();
    final MeterRegistry meters = new SimpleMeterRegistry();
    DefaultCamelContext camel;
    SqlDatasources datasources;
    SqlPageSource source;

    /** A JDBC URL where the test may create tables, and the admin's credentials. */
    abstract String adminUrl();

    abstract String adminUser();

    /** Where the source connects: the same database. */
    String readerUrl() {
        return adminUrl();
    }

    /** The credentials the source connects with; a reader that may only select, where the database checks passwords. */
    abstract String readerUser();

    abstract void grantReader(Statement admin, String table) throws Exception;

    abstract String binaryType();

    @BeforeAll
    static void notUtc() {
        jvmZone = TimeZone.getDefault();
        TimeZone.setDefault(TimeZone.getTimeZone("Asia/Kolkata"));   // +05:30, no DST
    }

    @AfterAll
    static void restoreZone() {
        TimeZone.setDefault(jvmZone);
    }

    @BeforeEach
    void start() throws Exception {
        admin("DROP TABLE IF EXISTS orders", "DROP TABLE IF EXISTS events", "DROP TABLE IF EXISTS shapes",
                "CREATE TABLE orders (id BIGINT PRIMARY KEY, updated_at TIMESTAMP NOT NULL, customer VARCHAR(40))");
        grant("orders");
        camel = new DefaultCamelContext();
        camel.start();
        use(settings(Duration.ofSeconds(30)));
    }

    void use(Datasource legacy) {
        datasources = new SqlDatasources(new DatasourceSettings(Map.of("legacy", legacy)),
                new StaticListableBeanFactory(Map.of("meters", meters)).getBeanProvider(MeterRegistry.class));
        source = new SqlPageSource(datasources, camel);
    }

    Datasource settings(Duration queryTimeout) {
        return new Datasource(readerUrl(), readerUser(), PASSWORD, 4, 0, Duration.ofSeconds(5), Duration.ofSeconds(2),
                Duration.ofMinutes(10), Duration.ofMinutes(30), queryTimeout, true, null);
    }

    @AfterEach
    void stop() throws Exception {
        source.destroy();
        datasources.destroy();
        camel.close();
    }

    @Test
    void pagesThroughRunsOfEqualCursorValuesEveryRowExactlyOnce() throws Exception {
        // 23 rows in runs of 5 sharing updated_at, ids shuffled against insertion order; pages of 4 cut every run
        List<long[]> rows = insertOrders();
        List<Long> expected = rows.stream().sorted(Comparator.<long[]>comparingLong(r -> r[1]).thenComparingLong(r -> r[0]))
                .map(r -> r[0]).toList();

        List<Page> pages = drain(job(CONTRACT_QUERY, 4, "updated_at"), Checkpoint.START);

        List<PulledRecord> records = pages.stream().flatMap(p -> p.records().stream()).toList();
        assertThat(records).extracting(r -> Long.parseLong(r.id())).containsExactlyElementsOf(expected);
        assertThat(pages).hasSize(6);
        assertThat(pages.get(5).records()).hasSize(3);
        assertThat(pages.get(5).last()).isTrue();
        assertThat(pages.subList(0, 5)).allSatisfy(p -> assertThat(p.last()).isFalse());
        Set<String> keys = new HashSet<>();
        records.forEach(r -> assertThat(keys.add(r.id() + "@" + r.cursor())).as("key of %s", r.id()).isTrue());
        // the first run of equal times, as the fixed-precision UTC text that keys and checkpoints carry
        assertThat(records.get(0).cursor()).isEqualTo("2026-11-30T10:00:00.123456Z");
        assertThat(records.get(5).cursor()).isEqualTo("2026-11-30T10:00:01.123456Z");
    }

    @Test
    void theSameRowRendersTheSameKeyOnEveryRead() throws Exception {
        insertOrders();
        SyncJob job = job(CONTRACT_QUERY, 500, "updated_at");

        List<PulledRecord> first = source.fetch(null, job, Checkpoint.START).records();
        List<PulledRecord> again = source.fetch(null, job, Checkpoint.START).records();

        assertThat(again).extracting(r -> r.id() + "@" + r.cursor()).containsExactlyElementsOf(first.stream().map(r -> r.id() + "@" + r.cursor()).toList());
        assertThat(new String(again.get(3).json())).isEqualTo(new String(first.get(3).json()));
    }

    @Test
    void aLookbackStartReReadsTheRowsAtAndAfterItsCursor() throws Exception {
        insertOrders();
        SyncJob job = job(INCLUSIVE_QUERY, 500, "updated_at");
        // runs of 5, 5, 5, 5 and 3 rows; the third starts at T0 + 2 s
        Checkpoint lookback = new Checkpoint("2026-11-30T10:00:02.123456Z", null);

        List<PulledRecord> records = source.fetch(null, job, lookback).records();

        assertThat(records).hasSize(ROWS - 2 * RUN);
        assertThat(records).allSatisfy(r -> assertThat(r.cursor()).isGreaterThanOrEqualTo("2026-11-30T10:00:02.123456Z"));
        assertThat(records.get(0).cursor()).isEqualTo("2026-11-30T10:00:02.123456Z");
    }

    @Test
    void theContractQueryWithANullIdStartsAfterTheCursor() throws Exception {
        // Documented difference: "id > NULL" is unknown, so the contract's verbatim query skips the cursor's own rows
        // on a lookback start; the inclusive form above is the one the onboarding guide recommends.
        insertOrders();

        List<PulledRecord> records = source.fetch(null, job(CONTRACT_QUERY, 500, "updated_at"),
                new Checkpoint("2026-11-30T10:00:02.123456Z", null)).records();

        assertThat(records).hasSize(ROWS - 3 * RUN);
    }

    @Test
    void aCheckpointWithAnotherOffsetOrNoZoneMeansTheSameInstant() throws Exception {
        insertOrders();
        SyncJob job = job(INCLUSIVE_QUERY, 500, "updated_at");

        int utc = source.fetch(null, job, new Checkpoint("2026-11-30T10:00:02.123456Z", null)).records().size();
        int offset = source.fetch(null, job, new Checkpoint("2026-11-30T15:30:02.123456+05:30", null)).records().size();
        int naive = source.fetch(null, job, new Checkpoint("2026-11-30T10:00:02.123456", null)).records().size();

        assertThat(List.of(utc, offset, naive)).containsOnly(ROWS - 2 * RUN);
    }

    @Test
    void aTimestampWithTimeZoneCursorPagesAsInstants() throws Exception {
        admin("DROP TABLE orders", "CREATE TABLE orders (id BIGINT PRIMARY KEY, updated_at TIMESTAMP WITH TIME ZONE NOT NULL)");
        grant("orders");
        try (Connection c = adminConnection(); Statement s = c.createStatement()) {
            for (int i = 0; i < ROWS; i++) {
                // the same instants written with offsets that vary row by row
                String offset = i % 2 == 0 ? "+00:00" : "+02:00";
                int hour = i % 2 == 0 ? 10 : 12;
                s.execute("INSERT INTO orders VALUES (" + (100 - i) + ", TIMESTAMP WITH TIME ZONE '2026-11-30 " + hour + ":00:0"
                        + (i / RUN) + ".5" + offset + "')");
            }
        }

        List<PulledRecord> records = drain(job(CONTRACT_QUERY, 4, "updated_at"), Checkpoint.START).stream()
                .flatMap(p -> p.records().stream()).toList();

        assertThat(records).hasSize(ROWS);
        assertThat(records).extracting(PulledRecord::id).doesNotHaveDuplicates();
        assertThat(records.get(0).cursor()).isEqualTo("2026-11-30T10:00:00.500000Z");
        assertThat(records.get(ROWS - 1).cursor()).isEqualTo("2026-11-30T10:00:04.500000Z");
    }

    @Test
    void aNumericCursorWithTextIdsPagesInTheDatabasesOrder() throws Exception {
        admin("CREATE TABLE events (seq BIGINT NOT NULL, code VARCHAR(20) NOT NULL, body VARCHAR(40))");
        grant("events");
        List<String> inserted = new ArrayList<>();
        try (Connection c = adminConnection(); Statement s = c.createStatement()) {
            for (int i = 0; i < 17; i++) {
                String code = String.valueOf(i * 7 % 17);   // text that looks numeric: '10' sorts before '9'
                s.execute("INSERT INTO events VALUES (" + (40 + i / 4) + ", '" + code + "', 'event " + i + "')");
                inserted.add(code);
            }
        }
        String query = """
                SELECT seq, code, body FROM events WHERE CAST(:#cursor AS BIGINT) IS NULL OR seq > :#cursor
                   OR (seq = :#cursor AND code > :#id)
                ORDER BY seq, code FETCH FIRST :#pageSize ROWS ONLY""";
        SyncJob job = new SyncJob("events", null, 10_000, "event", Duration.ZERO, new SyncJob.SqlSource("legacy", query, 3, "seq", "code"));

        List<PulledRecord> records = drain(job, Checkpoint.START).stream().flatMap(p -> p.records().stream()).toList();

        assertThat(records).extracting(PulledRecord::id).containsExactlyInAnyOrderElementsOf(inserted);
        assertThat(records).extracting(PulledRecord::cursor).startsWith("40", "40", "40", "40", "41").endsWith("44");
        assertThat(json.readTree(records.get(0).json()).get("seq").isIntegralNumber()).isTrue();
    }

    @Test
    void rowsBecomeJsonObjectsWithLowerCaseColumnNames() throws Exception {
        admin("CREATE TABLE shapes (ID BIGINT PRIMARY KEY, Updated_At TIMESTAMP NOT NULL, CREATED_AT TIMESTAMP WITH TIME ZONE,"
                + " TOTAL NUMERIC(10,2), RATIO DOUBLE PRECISION, ACTIVE BOOLEAN, NOTE VARCHAR(20), PHOTO " + binaryType() + ", SHIPPED DATE)");
        grant("shapes");
        try (Connection c = adminConnection()) {
            try (var insert = c.prepareStatement("INSERT INTO shapes VALUES (7, TIMESTAMP '2026-11-30 10:00:00.123456',"
                    + " TIMESTAMP WITH TIME ZONE '2026-11-30 11:00:00+01:00', 1234567.50, 0.25, TRUE, NULL, ?, DATE '2026-12-01')")) {
                insert.setBytes(1, new byte[] {1, 2, 3, (byte) 0xff});
                insert.executeUpdate();
            }
        }
        String query = """
                SELECT * FROM shapes WHERE CAST(:#cursor AS TIMESTAMP) IS NULL OR updated_at > :#cursor
                   OR (updated_at = :#cursor AND id > :#id) ORDER BY updated_at, id FETCH FIRST :#pageSize ROWS ONLY""";
        SyncJob job = new SyncJob("shapes", null, 10_000, "shape", Duration.ZERO, new SyncJob.SqlSource("legacy", query, 10, "UPDATED_AT", "ID"));

        PulledRecord record = source.fetch(null, job, Checkpoint.START).records().get(0);

        JsonNode body = json.readTree(record.json());
        assertThat(body.properties()).extracting(Map.Entry::getKey)
                .containsExactly("id", "updated_at", "created_at", "total", "ratio", "active", "note", "photo", "shipped");
        assertThat(body.get("id").isIntegralNumber()).isTrue();
        assertThat(body.get("id").asLong()).isEqualTo(7);
        assertThat(body.get("updated_at").asText()).isEqualTo("2026-11-30T10:00:00.123456Z");
        assertThat(body.get("created_at").asText()).isEqualTo("2026-11-30T10:00:00.000000Z");
        assertThat(body.get("total").isNumber()).isTrue();
        assertThat(new String(record.json())).contains("\"total\":1234567.50");
        assertThat(body.get("ratio").asDouble()).isEqualTo(0.25);
        assertThat(body.get("active").isBoolean()).isTrue();
        assertThat(body.get("note").isNull()).isTrue();
        assertThat(body.get("photo").asText()).isEqualTo("AQID/w==");
        assertThat(body.get("shipped").asText()).isEqualTo("2026-12-01");
        assertThat(record.cursor()).isEqualTo("2026-11-30T10:00:00.123456Z");
        assertThat(record.id()).isEqualTo("7");
    }

    @Test
    void aRowWithoutACursorOrIdNamesTheColumn() throws Exception {
        insertOrders();
        String noId = "SELECT updated_at, customer FROM orders WHERE CAST(:#cursor AS TIMESTAMP) IS NULL OR updated_at > :#cursor"
                + " OR (updated_at = :#cursor AND id > :#id) ORDER BY updated_at, id FETCH FIRST :#pageSize ROWS ONLY";
        assertThatThrownBy(() -> source.fetch(null, job(noId, 10, "updated_at"), Checkpoint.START))
                .isInstanceOf(SqlSourceException.class)
                .hasMessageContaining("datasource legacy")
                .hasMessageContaining("no column id (source.sql.id)");

        String nullCursor = "SELECT id, CAST(NULL AS TIMESTAMP) AS changed FROM orders WHERE CAST(:#cursor AS TIMESTAMP) IS NULL"
                + " OR (id > :#id) ORDER BY id FETCH FIRST :#pageSize ROWS ONLY";
        assertThatThrownBy(() -> source.fetch(null, job(nullCursor, 10, "changed"), Checkpoint.START))
                .isInstanceOf(SqlSourceException.class)
                .hasMessageContaining("NULL in column changed (source.sql.cursor)");
    }

    @Test
    void aBadQueryFailsNamingTheDatasourceAndTheDatabasesMessageNeverThePassword() {
        String query = "SELECT * FROM no_such_table WHERE CAST(:#cursor AS TIMESTAMP) IS NULL OR id > :#id FETCH FIRST :#pageSize ROWS ONLY";

        assertThatThrownBy(() -> source.fetch(null, job(query, 10, "updated_at"), Checkpoint.START))
                .isInstanceOf(SqlSourceException.class)
                .hasMessageStartingWith("datasource legacy: ")
                .hasMessageContaining(missingTable())
                .satisfies(e -> assertNoPassword(e));
    }

    @Test
    void endpointsAndSettingsNeverShowThePassword() throws Exception {
        insertOrders();
        source.fetch(null, job(CONTRACT_QUERY, 10, "updated_at"), Checkpoint.START);

        assertThat(camel.getEndpoints()).extracting(Endpoint::getEndpointUri).anySatisfy(uri -> assertThat(uri).contains("junction-sync-legacy"));
        assertThat(camel.getEndpoints()).allSatisfy(e -> assertThat(e.getEndpointUri() + e).doesNotContain(PASSWORD));
        assertThat(datasources.pool("legacy").toString()).doesNotContain(PASSWORD);
        assertThat(datasources.settings("legacy").toString()).doesNotContain(PASSWORD).contains("password=****");
    }

    @Test
    void poolsTakeTheirSettings() {
        var pool = datasources.pool("legacy");

        assertThat(pool.getMaximumPoolSize()).isEqualTo(4);
        assertThat(pool.isReadOnly()).isTrue();
        assertThat(pool.getPoolName()).isEqualTo("junction-ds-legacy");
        assertThat(pool.getConnectionInitSql()).isEqualTo("SET TIME ZONE 'UTC'");
        assertThat(meters.get("hikaricp.connections.max").tag("pool", "junction-ds-legacy").gauge().value()).isEqualTo(4);
    }

    @Test
    void aQueryThatIgnoresTheCheckpointIsStoppedRatherThanPulledForEver() throws Exception {
        insertOrders();
        String ignoring = """
                SELECT * FROM orders WHERE CAST(:#cursor AS TIMESTAMP) IS NULL OR CAST(:#id AS VARCHAR(64)) IS NOT NULL
                ORDER BY updated_at, id FETCH FIRST :#pageSize ROWS ONLY""";
        SyncJob job = job(ignoring, 4, "updated_at");
        Page first = source.fetch(null, job, Checkpoint.START);

        Checkpoint at = first.records().get(3).checkpoint();
        assertThatThrownBy(() -> source.fetch(null, job, at))
                .isInstanceOf(SqlSourceException.class)
                .hasMessageContaining("a full page ending at its own checkpoint (" + at.cursor() + ", " + at.id() + ")");
    }

    /** How the database names the unquoted identifier no_such_table in its messages (H2 upper-cases it). */
    abstract String missingTable();

    static void assertNoPassword(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).doesNotContain(PASSWORD);
            assertThat(t.toString()).doesNotContain(PASSWORD);
        }
    }

    List<Page> drain(SyncJob job, Checkpoint from) throws Exception {
        List<Page> pages = new ArrayList<>();
        Checkpoint at = from;
        for (int guard = 0; guard < 100; guard++) {
            Page page = source.fetch(null, job, at);
            pages.add(page);
            if (page.last()) {
                return pages;
            }
            at = page.records().get(page.records().size() - 1).checkpoint();
        }
        throw new AssertionError("no last page after 100 pages: the checkpoint does not advance");
    }

    static SyncJob job(String query, int pageSize, String cursor) {
        return new SyncJob("legacy-orders", new SyncJob.Schedule(Duration.ofSeconds(30), null), 10_000, "order-imported",
                Duration.ZERO, new SyncJob.SqlSource("legacy", query, pageSize, cursor, "id"));
    }

    /** Rows {id, run}: run r shares updated_at T0 + r seconds. */
    List<long[]> insertOrders() throws Exception {
        List<long[]> rows = new ArrayList<>();
        try (Connection c = adminConnection(); Statement s = c.createStatement()) {
            for (int i : IntStream.range(0, ROWS).toArray()) {
                long id = (i * 7L) % ROWS + 1;
                long run = i / RUN;
                s.execute("INSERT INTO orders VALUES (" + id + ", TIMESTAMP '" + T0.plusSeconds(run).toString().replace('T', ' ')
                        + "', 'customer " + id + "')");
                rows.add(new long[] {id, run});
            }
        }
        return rows;
    }

    void admin(String... statements) throws Exception {
        try (Connection c = adminConnection(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    void grant(String table) throws Exception {
        try (Connection c = adminConnection(); Statement s = c.createStatement()) {
            grantReader(s, table);
        }
    }

    Connection adminConnection() throws Exception {
        return DriverManager.getConnection(adminUrl(), adminUser(), "");
    }
}
