package dev.junction.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.JunctionApplication;
import dev.junction.support.EmbeddedPostgresSupport;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Two hub instances on one PostgreSQL, both with the scheduler on, share a job due every 300 ms while its source keeps
 * growing: runs never overlap (one runner at a time), and every record version is journaled exactly once.
 */
class SyncTwoInstancesTest {

    /** One partner API for both instances, as a real partner would be. */
    static final InMemorySource API = new InMemorySource();

    @Configuration
    static class SharedApi {
        @Bean
        @Order(Ordered.HIGHEST_PRECEDENCE)
        InMemorySource inMemorySource() {
            return API;
        }
    }

    @Test
    void eachPeriodOneInstanceRunsTheJobAndNoVersionIsJournaledTwice() {
        API.reset();
        // Slow pages make runs long enough for the other instance's ticks to find the job held.
        API.beforeRequest = n -> pause(20);
        List<InMemorySource.Row> rows = new ArrayList<>(SyncContract.rowsWithRuns("a", 7, 3, 9, 6, 5, 10));
        API.put("/products", rows.toArray(InMemorySource.Row[]::new));
        String url = EmbeddedPostgresSupport.newDatabase("synctwo");
        try (ConfigurableApplicationContext a = start(url); ConfigurableApplicationContext b = start(url)) {
            JdbcTemplate jdbc = a.getBean(JdbcTemplate.class);
            // More records arrive while both instances run the job: new ones, and new versions of old ones.
            // At least 4 rounds, and until both instances have won a run (which one claims a due run is a race).
            for (int round = 0; round < 4 || owners(jdbc).size() < 2; round++) {
                assertThat(round).as("both instances ran the job within 40 rounds").isLessThan(40);
                int i = round;
                await().atMost(Duration.ofSeconds(120)).until(() -> journaled(jdbc).size() == rows.size());
                List<InMemorySource.Row> more = SyncContract.rowsWithRuns("b" + i, 4, 6).stream()
                        .map(r -> new InMemorySource.Row(r.id(), r.updatedAt().plusSeconds(100L * (i + 1)), r.name())).toList();
                InMemorySource.Row again = rows.get(i);
                InMemorySource.Row newVersion = new InMemorySource.Row(again.id(), again.updatedAt().plusSeconds(100L * (i + 1) + 50), "v2");
                rows.addAll(more);
                rows.add(newVersion);
                List<InMemorySource.Row> batch = new ArrayList<>(more);
                batch.add(newVersion);
                API.put("/products", batch.toArray(InMemorySource.Row[]::new));
            }
            await().atMost(Duration.ofSeconds(120)).until(() -> journaled(jdbc).size() == rows.size());

            assertThat(new HashSet<>(journaled(jdbc))).containsExactlyInAnyOrderElementsOf(SyncContract.expectedKeys(rows));
            List<Map<String, Object>> runs = jdbc.queryForList(
                    "SELECT started_at, finished_at, owner FROM sync_run WHERE finished_at IS NOT NULL ORDER BY started_at");
            assertThat(runs).hasSizeGreaterThan(4);
            for (int i = 1; i < runs.size(); i++) {
                Timestamp previousEnd = (Timestamp) runs.get(i - 1).get("finished_at");
                Timestamp start = (Timestamp) runs.get(i).get("started_at");
                assertThat(start).as("run %d starts after run %d ended: %s", i, i - 1, runs).isAfterOrEqualTo(previousEnd);
            }
            assertThat(owners(jdbc)).as("both instances ran the job at some point").hasSize(2);
        }
    }

    private static Set<String> owners(JdbcTemplate jdbc) {
        return new HashSet<>(jdbc.queryForList("SELECT DISTINCT owner FROM sync_run WHERE finished_at IS NOT NULL", String.class));
    }

    private static List<String> journaled(JdbcTemplate jdbc) {
        List<String> keys = jdbc.queryForList("SELECT idempotency_key FROM message WHERE partner = 'supplier'", String.class);
        assertThat(new HashSet<>(keys)).as("no key twice").hasSameSizeAs(keys);
        return keys;
    }

    private static ConfigurableApplicationContext start(String url) {
        return new SpringApplicationBuilder(JunctionApplication.class, SharedApi.class).run(
                "--server.port=0",
                "--spring.datasource.url=" + url,
                "--spring.datasource.username=postgres",
                "--junction.connectors-dir=src/test/resources/sync-scale/connectors",
                "--junction.routes-dir=src/test/resources/sync/routes",
                "--junction.sync.tick=50ms");
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
