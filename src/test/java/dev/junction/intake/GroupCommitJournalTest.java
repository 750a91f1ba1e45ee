package dev.junction.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.junction.InstanceId;
import dev.junction.JunctionProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.springframework.util.unit.DataSize;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/** The journal on a real H2 file: group commit, idempotency retention, and refusal when the database is gone. */
class GroupCommitJournalTest {

    @TempDir
    Path dir;

    private final MeterRegistry meters = new SimpleMeterRegistry();
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    private final Clock clock = new Clock() {
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now.get(); }
    };
    private GroupCommitJournal journal;

    @AfterEach
    void stop() {
        if (journal != null) {
            journal.stop();
        }
    }

    DataSource h2() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + dir.resolve("journal") + ";WRITE_DELAY=0");
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        return ds;
    }

    GroupCommitJournal start(DataSource ds) {
        JunctionProperties props = new JunctionProperties(Path.of("connectors"), Path.of("routes"), dir, null, List.of(),
                new JunctionProperties.Idempotency(Duration.ofHours(24)),
                new JunctionProperties.Journal(1, 512, DataSize.ofMegabytes(4), 1000, Duration.ofSeconds(2)),
                new JunctionProperties.Delivery(false, Duration.ofMinutes(2), Duration.ofSeconds(1), 200, 1000, DataSize.ofMegabytes(64)),
                new JunctionProperties.Sandbox(false, 10, new JunctionProperties.SandboxAgent(false, "fresh-foods", null, null,
                        Duration.ofSeconds(2), Duration.ofSeconds(30), null)),
                new JunctionProperties.Retention(Duration.ofDays(7), Duration.ofMinutes(10), 1000),
                new JunctionProperties.Erp(Duration.ofMinutes(10), 1000, Duration.ofSeconds(15)));
        journal = new GroupCommitJournal(ds, clock, props, meters, new InstanceId(), event -> { },
                new DefaultListableBeanFactory().getBeanProvider(FastPath.class));
        journal.start();
        return journal;
    }

    static NewMessage message(String key) {
        return new NewMessage("webhook", "acme", "order-created", "acme-order-created", key, null, "application/json",
                "{\"a\":1}".getBytes(), "{}");
    }

    @Test
    void requestsArrivingDuringACommitShareTheNextOne() throws Exception {
        CountDownLatch firstCommitHeld = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean first = new AtomicBoolean(true);
        DataSource ds = new HoldingFirstCommit(h2(), first, firstCommitHeld, release);
        start(ds);

        CompletableFuture<AppendResult> lead = CompletableFuture.supplyAsync(() -> journal.append(message(null)));
        assertThat(firstCommitHeld.await(10, TimeUnit.SECONDS)).isTrue();
        List<CompletableFuture<AppendResult>> followers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            followers.add(CompletableFuture.supplyAsync(() -> journal.append(message(null)), java.util.concurrent.Executors.newSingleThreadExecutor()));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> journal.queued() == 20);
        release.countDown();

        lead.get(10, TimeUnit.SECONDS);
        for (CompletableFuture<AppendResult> f : followers) {
            assertThat(f.get(10, TimeUnit.SECONDS).replayed()).isFalse();
        }
        assertThat(meters.counter("junction.journal.commits").count()).isEqualTo(2);
        assertThat(meters.summary("junction.journal.batch.size").max()).isEqualTo(20);
        assertThat(new JdbcTemplate(ds).queryForObject("SELECT COUNT(*) FROM message", Long.class)).isEqualTo(21);
    }

    @Test
    void a503MeansNotStoredAndACommitInProgressAnswersWhatItDid() throws Exception {
        CountDownLatch firstCommitHeld = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        DataSource ds = new HoldingFirstCommit(h2(), new AtomicBoolean(true), firstCommitHeld, release);
        start(ds);

        CompletableFuture<AppendResult> lead = CompletableFuture.supplyAsync(() -> journal.append(message("lead")));
        assertThat(firstCommitHeld.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<AppendResult> queued = CompletableFuture.supplyAsync(() -> journal.append(message("queued")),
                java.util.concurrent.Executors.newSingleThreadExecutor());
        // The queued append times out (2 s) while the commit ahead of it is held: a 503.
        await().atMost(Duration.ofSeconds(10)).until(queued::isDone);
        assertThatThrownBy(queued::join).hasCauseInstanceOf(JournalUnavailableException.class);
        release.countDown();

        // The lead's commit was already under way when its wait ran out: it waits for it, and answers with its receipt.
        assertThat(lead.get(10, TimeUnit.SECONDS).replayed()).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> journal.queued() == 0);
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        assertThat(jdbc.queryForList("SELECT idempotency_key FROM message", String.class))
                .as("the refused append was taken back, not committed after its 503").containsExactly("lead");
        assertThat(meters.counter("junction.journal.commits").count()).isEqualTo(1);
    }

    @Test
    void anIdempotencyKeyIsReleasedAfterTheRetentionWindow() {
        DataSource ds = h2();
        start(ds);
        String key = "k-" + UUID.randomUUID();
        AppendResult first = journal.append(message(key));
        now.set(now.get().plus(Duration.ofHours(23)));
        AppendResult withinWindow = journal.append(message(key));
        now.set(now.get().plus(Duration.ofHours(2)));
        AppendResult afterWindow = journal.append(message(key));

        assertThat(withinWindow).isEqualTo(new AppendResult(first.receiptId(), true));
        assertThat(afterWindow.replayed()).isFalse();
        assertThat(afterWindow.receiptId()).isNotEqualTo(first.receiptId());
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        assertThat(jdbc.queryForObject("SELECT idempotency_key FROM message WHERE receipt_id = ?", String.class, first.receiptId())).isNull();
        assertThat(jdbc.queryForObject("SELECT idempotency_key FROM message WHERE receipt_id = ?", String.class, afterWindow.receiptId())).isEqualTo(key);
    }

    @Test
    void refusesPromptlyWhenTheDatabaseIsGone() {
        start(new DelegatingDataSource(h2()) {
            @Override
            public Connection getConnection() throws SQLException {
                throw new SQLException("Connection refused", "08001");
            }
        });
        assertThatThrownBy(() -> journal.append(message("k")))
                .isInstanceOf(JournalUnavailableException.class)
                .hasMessageContaining("unavailable");
        assertThat(meters.counter("junction.journal.commits").count()).isZero();
    }

    @Test
    void aWriterSurvivesAnErrorThrownByTheDriver() {
        AtomicBoolean first = new AtomicBoolean(true);
        start(new DelegatingDataSource(h2()) {
            @Override
            public Connection getConnection() throws SQLException {
                if (first.compareAndSet(true, false)) {
                    throw new AssertionError("pgStatement.getConnection().getAutoCommit() should not throw");
                }
                return super.getConnection();
            }
        });
        assertThatThrownBy(() -> journal.append(message("k1"))).isInstanceOf(JournalUnavailableException.class);
        assertThat(journal.healthy()).isTrue();
        assertThat(journal.append(message("k2")).replayed()).isFalse();
    }

    /** Holds the first transaction's commit until released, so that a queue forms behind it. */
    static final class HoldingFirstCommit extends DelegatingDataSource {
        private final AtomicBoolean first;
        private final CountDownLatch held;
        private final CountDownLatch release;

        HoldingFirstCommit(DataSource target, AtomicBoolean first, CountDownLatch held, CountDownLatch release) {
            super(target);
            this.first = first;
            this.held = held;
            this.release = release;
        }

        @Override
        public Connection getConnection() throws SQLException {
            Connection real = super.getConnection();
            return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                if (method.getName().equals("commit") && first.compareAndSet(true, false)) {
                    held.countDown();
                    release.await(10, TimeUnit.SECONDS);
                }
                try {
                    return method.invoke(real, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
        }
    }
}
