package dev.junction.reliability;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.junction.support.HubClient;
import dev.junction.support.HubProcess;
import dev.junction.support.Keys;
import dev.junction.support.LoadLedger;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL crashes under steady intake load (an immediate shutdown, SIGQUIT to the postmaster: no checkpoint, the
 * harshest stop short of losing the machine) and comes back on the same data directory. The hub answers 503 meanwhile,
 * recovers without a restart, never acknowledged a message PostgreSQL does not have, and delivers everything it acknowledged.
 *
 * <p>A 503 is not proof that nothing was stored: {@code GroupCommitJournal.append} gives up after its append timeout
 * while the message stays queued for its writer, which may commit it once the database is back; and a commit whose
 * acknowledgement is lost with the connection is reported as failed though it happened. The client, like a partner
 * should, retries refused keys; the hub answers the first receipt with {@code Idempotent-Replayed: true}, so the
 * ledger balances exactly: one row per key, each owned by a 202.
 */
class DatabaseOutageIT {

    private final WireMockServer target = new WireMockServer(options().dynamicPort().containerThreads(64));
    private Path pgData;
    private int pgPort;
    private EmbeddedPostgres pg;

    @AfterEach
    void stop() throws IOException {
        target.stop();
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void answers503DuringAPostgresCrashNeverAcknowledgesWhatItLostAndRecoversByItself() throws Exception {
        crashPostgresUnderLoad(Map.of("synchronous_commit", "on"), (hub, load, outage) -> {
            assertThat(outage.refusals()).as("the outage must be seen by clients").isPositive();
            assertThat(outage.lost()).as("acknowledged (202) but not in PostgreSQL after the crash").isEmpty();
            assertThat(load.statuses().keySet()).as("answers during the outage").containsOnly(202, 503);
            assertThat(load.refused().values()).allSatisfy(r -> assertThat(r).startsWith("application/problem+json"));

            int refusedKeys = load.refused().size();
            Set<String> committedDespite503 = new HashSet<>();
            for (String key : load.refused().keySet()) {
                HubClient.Res again = load.send(hub.client(), key);
                assertThat(again).isNotNull();
                assertThat(again.status()).as(again.toString()).isEqualTo(202);
                if (again.header("Idempotent-Replayed").isPresent()) {
                    committedDespite503.add(key);
                }
            }
            System.out.printf("database outage: %d refused key(s) retried, %d had committed despite their 503%n",
                    refusedKeys, committedDespite503.size());
            assertThat(rows()).as("after the retries, exactly one row per acknowledged key, with its receipt")
                    .isEqualTo(load.acknowledged());

            await().atMost(Duration.ofSeconds(Form.of(120, 600))).pollInterval(Duration.ofMillis(500))
                    .until(() -> TargetLedger.check(load.acknowledged(), TargetLedger.calls(target, "/ledger")).undelivered().isEmpty());
            TargetLedger delivered = TargetLedger.check(load.acknowledged(), TargetLedger.calls(target, "/ledger"));
            System.out.println("database outage delivery: " + delivered);
            assertThat(delivered.mismatched()).isEmpty();
            assertThat(hub.alive()).as("recovered without a restart").isTrue();
        });
    }

    /**
     * The same ledger on PostgreSQL with asynchronous commit (zonky's default!) and a lazy WAL writer: COMMIT returns
     * before the WAL reaches the OS, so the crash loses commits the hub had acknowledged, and the ledger must say so.
     */
    @Test
    void negativeControlWithAsynchronousCommitLosesAcknowledgedMessages() throws Exception {
        Outage outage = crashPostgresUnderLoad(Map.of("synchronous_commit", "off", "wal_writer_delay", "10s",
                "wal_writer_flush_after", "1GB", "wal_buffers", "64MB"), (hub, load, lost) -> { });

        assertThat(outage.lost()).as("asynchronous commit must lose acknowledged messages, or this ledger cannot see a loss").isNotEmpty();
    }

    record Outage(int refusals, Set<String> lost) {}

    /** Checks that need the recovered hub still running. */
    interface AfterRecovery {
        void check(HubProcess hub, LoadLedger load, Outage outage) throws Exception;
    }

    private Outage crashPostgresUnderLoad(Map<String, String> pgConfig, AfterRecovery afterRecovery) throws Exception {
        target.start();
        target.stubFor(post(urlPathEqualTo("/ledger")).willReturn(aResponse().withStatus(200)));
        pgData = Files.createTempDirectory("junction-outage-pg");
        try (ServerSocket s = new ServerSocket(0)) {
            pgPort = s.getLocalPort();
        }
        pg = startPostgres(pgConfig);
        Map<String, String> env = ReliabilityHub.env(target.baseUrl(), Map.of(
                "SPRING_DATASOURCE_URL", pg.getJdbcUrl("postgres", "postgres"),
                "SPRING_DATASOURCE_USERNAME", "postgres",
                "JUNCTION_JOURNAL_APPEND_TIMEOUT", "3s"));
        LoadLedger load = new LoadLedger("ledger", "order-created", Keys.LEDGER, "outage");
        try (HubProcess hub = HubProcess.start(Files.createTempDirectory("junction-outage"), env)) {
            checkpoint(); // the schema the hub just migrated must survive the crash, whatever the commit mode
            load.start(hub.client(), 8);
            int before = Form.of(200, 2000);
            await().atMost(Duration.ofSeconds(Form.of(60, 300))).until(() -> load.acknowledgedCount() >= before);

            crashPostgres();
            int refusedWanted = Form.of(10, 100);
            await().atMost(Duration.ofSeconds(120)).until(() -> load.count(503) >= refusedWanted);
            pg = startPostgres(pgConfig);
            int atRestart = load.acknowledgedCount();
            await().atMost(Duration.ofSeconds(Form.of(60, 300))).until(() -> load.acknowledgedCount() >= atRestart + Form.of(200, 2000));
            load.stop();
            System.out.println("database outage load: " + load);

            Map<String, String> rows = rows();
            Set<String> lost = new HashSet<>();
            load.acknowledged().forEach((key, receipt) -> {
                if (!receipt.equals(rows.get(key))) {
                    lost.add(key);
                }
            });
            System.out.printf("database outage ledger: acknowledged=%d rows=%d lost=%d%n", load.acknowledgedCount(), rows.size(), lost.size());
            Outage outage = new Outage(load.count(503), lost);
            afterRecovery.check(hub, load, outage);
            return outage;
        } finally {
            load.stop();
        }
    }

    private EmbeddedPostgres startPostgres(Map<String, String> config) throws IOException {
        EmbeddedPostgres.Builder b = EmbeddedPostgres.builder().setDataDirectory(pgData).setCleanDataDirectory(false).setPort(pgPort);
        config.forEach(b::setServerConfig);
        return b.start();
    }

    /** SIGQUIT is PostgreSQL's immediate shutdown: every backend exits at once, nothing is flushed or checkpointed. */
    private void crashPostgres() throws Exception {
        // zonky starts the server through pg_ctl; the postmaster's pid is the first line of postmaster.pid.
        long pid = Long.parseLong(Files.readAllLines(pgData.resolve("postmaster.pid")).get(0).trim());
        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
        new ProcessBuilder("kill", "-QUIT", Long.toString(postmaster.pid())).inheritIO().start().waitFor();
        postmaster.onExit().get();
        pg.close(); // its pg_ctl stop fails (already down) and is only logged; this releases the data dir lock
        pg = null;
    }

    /** Flushes everything committed so far (with asynchronous commit, even Flyway's migrations wait for the WAL writer). */
    private void checkpoint() throws Exception {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CHECKPOINT");
        }
    }

    /** Idempotency-Key to receipt id of every stored message of the load. */
    private Map<String, String> rows() throws Exception {
        Map<String, String> rows = new HashMap<>();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT idempotency_key, receipt_id FROM message WHERE partner = 'ledger'")) {
            while (rs.next()) {
                rows.put(rs.getString(1), rs.getString(2));
            }
        }
        return rows;
    }
}
