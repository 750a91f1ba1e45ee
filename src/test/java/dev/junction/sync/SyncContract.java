package dev.junction.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.partner.Partner;
import dev.junction.partner.PartnerRegistry;
import dev.junction.partner.SyncJob;
import dev.junction.support.HubClient;
import dev.junction.support.Keys;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The checkpoint rule and the runner's stops (SYNC-JOBS.md), on a real database, with a scripted partner API
 * ({@link InMemorySource}) and the scheduler off: each test runs jobs itself, as a due run would, and reads the
 * journal's rows, the job's checkpoint and the run history. The ops API is tried over HTTP.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "junction.connectors-dir=src/test/resources/sync/connectors", "junction.routes-dir=src/test/resources/sync/routes",
        "junction.ops-api-key=" + Keys.OPS, "junction.sync.enabled=false",
})
@Import(SyncContract.ScriptedPartnerApi.class)
abstract class SyncContract {

    static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

    @TestConfiguration
    static class ScriptedPartnerApi {
        @Bean
        @Order(Ordered.HIGHEST_PRECEDENCE)
        InMemorySource inMemorySource() {
            return new InMemorySource();
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    InMemorySource api;

    @Autowired
    SyncRunner runner;

    @Autowired
    SyncStore store;

    @Autowired
    PartnerRegistry partners;

    @BeforeEach
    void emptyJournalAndCheckpoints() {
        api.reset();
        jdbc.update("DELETE FROM message_body WHERE receipt_id IN (SELECT receipt_id FROM message WHERE partner = 'supplier')");
        jdbc.update("DELETE FROM delivery_attempt WHERE receipt_id IN (SELECT receipt_id FROM message WHERE partner = 'supplier')");
        jdbc.update("DELETE FROM message WHERE partner = 'supplier'");
        jdbc.update("DELETE FROM sync_run");
        jdbc.update("UPDATE sync_job SET cursor_value = NULL, cursor_id = NULL, paused = FALSE, lease_owner = NULL, lease_run_id = NULL,"
                + " lease_expires_at = NULL");
    }

    // --- the checkpoint rule ---

    @Test
    void runsOfEqualCursorValuesAcrossPageBoundariesAreJournaledExactlyOnce() {
        // 23 records, pages of 5: runs of 4, 7, 1, 6 and 5 equal timestamps, so boundaries fall inside runs.
        List<InMemorySource.Row> rows = rowsWithRuns("p", 4, 7, 1, 6, 5);
        api.put("/products", rows.toArray(InMemorySource.Row[]::new));

        String runId = run("products");

        assertThat(keys("product-changed")).hasSize(23).containsExactlyInAnyOrderElementsOf(expectedKeys(rows));
        SyncStore.RunRow r = runRow(runId);
        assertThat(r.outcome()).isEqualTo("completed");
        assertThat(r.pages()).as("4 full pages and a short one").isEqualTo(5);
        assertThat(r.records()).isEqualTo(23);
        assertThat(r.journaled()).isEqualTo(23);
        assertThat(r.duplicates()).isZero();
        InMemorySource.Row last = rows.get(rows.size() - 1);
        assertThat(checkpoint("products")).isEqualTo(new Checkpoint(last.updatedAt().toString(), last.id()));

        String again = run("products");
        assertThat(runRow(again).records()).as("nothing after the checkpoint").isZero();
        assertThat(keys("product-changed")).hasSize(23);
    }

    @Test
    void aFailureInTheMiddleOfARunKeepsTheLastCommittedPageAndTheNextRunResumes() {
        List<InMemorySource.Row> rows = rowsWithRuns("p", 3, 6, 6, 4, 4);
        api.put("/products", rows.toArray(InMemorySource.Row[]::new));
        api.failOnRequest = 3;

        String failed = run("products");

        SyncStore.RunRow r = runRow(failed);
        assertThat(r.outcome()).isEqualTo("failed");
        assertThat(r.error()).contains("500 on request 3");
        assertThat(r.pages()).isEqualTo(2);
        assertThat(keys("product-changed")).containsExactlyInAnyOrderElementsOf(expectedKeys(rows.subList(0, 10)));
        assertThat(checkpoint("products")).isEqualTo(rows.get(9).checkpoint());
        assertThat(opsJob("products").get("state").asText()).isEqualTo("failing");

        String resumed = run("products");

        assertThat(runRow(resumed).outcome()).isEqualTo("completed");
        assertThat(runRow(resumed).from()).isEqualTo(rows.get(9).checkpoint());
        assertThat(keys("product-changed")).hasSize(23).containsExactlyInAnyOrderElementsOf(expectedKeys(rows));
        assertThat(opsJob("products").get("state").asText()).isEqualTo("idle");
    }

    @Test
    void aNewVersionOfARecordIsANewMessageAndTheSameVersionNeverIs() {
        api.put("/products", row("a", 0), row("b", 1));
        run("products");
        api.put("/products", row("a", 5));

        run("products");

        assertThat(keys("product-changed")).containsExactlyInAnyOrder(
                "a@" + T0, "b@" + T0.plusSeconds(1), "a@" + T0.plusSeconds(5));
    }

    @Test
    void aLookbackPicksUpARecordCommittedLateBehindTheCheckpointAndDropsWhatItAlreadyHas() {
        api.put("/late", row("a", 0), row("b", 60), row("c", 100));
        run("late-products");
        assertThat(checkpoint("late-products")).isEqualTo(new Checkpoint(T0.plusSeconds(100).toString(), "c"));
        // The source's clock lagged: "d" is committed now with a time 30 s before the checkpoint.
        api.put("/late", row("d", 70));

        String runId = run("late-products");

        assertThat(keys("product-changed")).containsExactlyInAnyOrder(
                "a@" + T0, "b@" + T0.plusSeconds(60), "c@" + T0.plusSeconds(100), "d@" + T0.plusSeconds(70));
        SyncStore.RunRow r = runRow(runId);
        assertThat(r.from()).as("2m behind the checkpoint, no id").isEqualTo(new Checkpoint(T0.plusSeconds(100 - 120).toString(), null));
        assertThat(r.journaled()).isEqualTo(1);
        assertThat(r.duplicates()).as("a, b and c read again").isEqualTo(3);
        assertThat(checkpoint("late-products")).as("never moved back").isEqualTo(new Checkpoint(T0.plusSeconds(100).toString(), "c"));
    }

    @Test
    void withoutALookbackTheLateRecordIsNotSeen() {
        // The control of the test above: the same late record, on a job without lookback.
        api.put("/products", row("a", 0), row("b", 60), row("c", 100));
        run("products");
        api.put("/products", row("d", 70));

        run("products");

        assertThat(keys("product-changed")).doesNotContain("d@" + T0.plusSeconds(70));
    }

    @Test
    void aRecordThatDoesNotMatchItsEventsSchemaStopsTheRunBeforeItsPage() {
        api.put("/checked", row("a", 0), row("b", 1), row("c", 2), row("d", 3), row("e", 4), row("f", 5),
                new InMemorySource.Row("g", T0.plusSeconds(6), ""), row("h", 7));

        String runId = run("checked");

        SyncStore.RunRow r = runRow(runId);
        assertThat(r.outcome()).isEqualTo("failed");
        assertThat(r.error()).contains("record id g at cursor " + T0.plusSeconds(6)).contains("checked-product").contains("name");
        assertThat(keys("checked-product")).as("the first page only").hasSize(5);
        assertThat(checkpoint("checked")).isEqualTo(new Checkpoint(T0.plusSeconds(4).toString(), "e"));
    }

    @Test
    void backpressureStopsPullingWhileThePartnersBacklogIsOverMaxBacklog() {
        api.put("/buried", rowsWithRuns("s", 5, 5, 5).toArray(InMemorySource.Row[]::new));

        String runId = run("buried");

        SyncStore.RunRow r = runRow(runId);
        assertThat(r.outcome()).isEqualTo("backpressure");
        assertThat(r.error()).contains("maxBacklog (3");
        assertThat(r.pages()).as("the first page, then the backlog of 5 undelivered is over 3").isEqualTo(1);
        assertThat(keys("stuck-product")).hasSize(5);
        assertThat(opsJob("buried").get("state").asText()).as("not a failure").isEqualTo("idle");
    }

    @Test
    void aRunThatLosesItsLeaseMidwayCommitsNothingMore() {
        api.put("/products", rowsWithRuns("p", 5, 5, 5, 5).toArray(InMemorySource.Row[]::new));
        // When the third page is fetched (ahead, while the second commits), another instance takes the job over, as if
        // this run's lease had expired: once the second page is in, so that the takeover comes between two commits.
        api.beforeRequest = n -> {
            if (n == 3) {
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> keys("product-changed").size() == 10);
                jdbc.update("UPDATE sync_job SET lease_owner = 'other', lease_run_id = 'other-run' WHERE partner = 'supplier' AND job = 'products'");
            }
        };

        String runId = run("products");

        SyncStore.RunRow r = runRow(runId);
        assertThat(r.outcome()).isEqualTo("lease-lost");
        assertThat(r.pages()).isEqualTo(2);
        assertThat(keys("product-changed")).hasSize(10);
        assertThat(jdbc.queryForObject("SELECT lease_run_id FROM sync_job WHERE partner = 'supplier' AND job = 'products'", String.class))
                .as("the new owner's lease is left alone").isEqualTo("other-run");
    }

    @Test
    void twoInstancesRacingForADueJobRunItOnce() throws Exception {
        api.put("/products", rowsWithRuns("p", 5, 5, 2).toArray(InMemorySource.Row[]::new));
        CountDownLatch inFetch = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        api.beforeRequest = n -> {
            inFetch.countDown();
            await(release);
        };
        Partner supplier = partners.find("supplier").orElseThrow();
        SyncJob job = supplier.syncJob("products").orElseThrow();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Optional<String>> first = pool.submit(() -> runner.runIfDue(supplier, job, "test", true));
            assertThat(inFetch.await(10, TimeUnit.SECONDS)).isTrue();
            Future<Optional<String>> second = pool.submit(() -> runner.runIfDue(supplier, job, "test", true));
            assertThat(second.get(10, TimeUnit.SECONDS)).as("the job is held").isEmpty();
            release.countDown();
            api.beforeRequest = n -> {};
            assertThat(first.get(10, TimeUnit.SECONDS)).isPresent();
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
        assertThat(keys("product-changed")).hasSize(12);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM sync_run", Integer.class)).isEqualTo(1);
    }

    @Test
    void aPausedJobIsNotClaimedAndStopsBetweenPages() {
        api.put("/products", rowsWithRuns("p", 5, 5, 5).toArray(InMemorySource.Row[]::new));
        // Ops pause while the second page is being fetched (ahead, while the first commits).
        api.beforeRequest = n -> {
            if (n == 2) {
                store.setPaused("supplier", "products", true);
            }
        };

        String runId = run("products");

        assertThat(runRow(runId).outcome()).isEqualTo("paused");
        assertThat(keys("product-changed")).as("the pause stops the run before its next commit: the page fetched meanwhile is not journaled")
                .hasSize(5);
        assertThat(checkpoint("products")).isEqualTo(new Checkpoint(T0.toString(), "p-004"));
        assertThat(runner.runIfDue(partners.find("supplier").orElseThrow(),
                partners.find("supplier").orElseThrow().syncJob("products").orElseThrow(), "test", true)).isEmpty();
        assertThat(opsJob("products").get("state").asText()).isEqualTo("paused");
    }

    // --- the ops API ---

    @Test
    void opsListEveryJobWithItsStateCheckpointAndLastRun() {
        api.put("/products", row("a", 0), row("b", 1));
        run("products");

        HubClient.Res res = hub().get("/ops/sync-jobs", "X-API-Key", Keys.OPS);

        assertThat(res.status()).isEqualTo(200);
        JsonNode products = find(res.json(), "products");
        assertThat(products.get("partner").asText()).isEqualTo("supplier");
        assertThat(products.get("state").asText()).isEqualTo("idle");
        assertThat(products.get("schedule").asText()).isEqualTo("every PT1H");
        assertThat(products.get("checkpoint").get("cursor").asText()).isEqualTo(T0.plusSeconds(1).toString());
        assertThat(products.get("checkpoint").get("id").asText()).isEqualTo("b");
        assertThat(products.get("checkpoint").size()).as("cursor and id only").isEqualTo(2);
        assertThat(products.get("lastRun").get("records").asInt()).isEqualTo(2);
        assertThat(products.get("lastRun").get("journaled").asInt()).isEqualTo(2);
        assertThat(products.get("lastRun").get("duplicates").asInt()).isZero();
        assertThat(products.get("lastRun").get("error").isNull()).isTrue();
        assertThat(products.hasNonNull("lastRunAt")).isTrue();
        assertThat(products.hasNonNull("lastSuccessAt")).isTrue();
        assertThat(find(res.json(), "late-products").get("lastRun").isNull()).isTrue();

        HubClient.Res runs = hub().get("/ops/sync-jobs/supplier/products/runs?limit=5", "X-API-Key", Keys.OPS);
        assertThat(runs.status()).isEqualTo(200);
        assertThat(runs.json()).hasSize(1);
        assertThat(runs.json().get(0).get("outcome").asText()).isEqualTo("completed");
    }

    @Test
    void aCheckpointMoveBackfillsAndIsAuditedWithTheOldAndNewValues() {
        api.put("/products", row("a", 0), row("b", 1), row("c", 2));
        run("products");
        jdbc.update("DELETE FROM message WHERE partner = 'supplier' AND idempotency_key <> ?", "a@" + T0);

        HubClient.Res moved = opsPost("/ops/sync-jobs/supplier/products/checkpoint",
                "{\"cursor\":\"" + T0 + "\",\"id\":\"a\"}");

        assertThat(moved.status()).as(moved.toString()).isEqualTo(200);
        assertThat(checkpoint("products")).isEqualTo(new Checkpoint(T0.toString(), "a"));
        run("products");
        assertThat(keys("product-changed")).as("b and c pulled again").hasSize(3);
        HubClient.Res audit = hub().get("/ops/audit?partner=supplier&action=sync-checkpoint", "X-API-Key", Keys.OPS);
        assertThat(audit.json()).hasSize(1);
        assertThat(audit.json().get(0).get("reason").asText())
                .isEqualTo("job products: {cursor: " + T0.plusSeconds(2) + ", id: c} -> {cursor: " + T0 + ", id: a}");
        assertThat(audit.json().get(0).get("actor").asText()).isNotBlank();
        assertThat(audit.json().get(0).get("partner").asText()).isEqualTo("supplier");
    }

    @Test
    void opsRefusalsAreProblemsNamingWhatIsWrong() {
        assertProblem(opsPost("/ops/sync-jobs/supplier/nope/run", ""), 404, "no sync job 'nope'");
        assertProblem(opsPost("/ops/sync-jobs/nobody/products/run", ""), 404, "No partner 'nobody'");
        assertProblem(opsPost("/ops/sync-jobs/supplier/products/checkpoint", "{\"cursor\":"), 400, "");
        assertProblem(opsPost("/ops/sync-jobs/supplier/products/checkpoint", "{\"id\":\"7\"}"), 400, "id without cursor");
        assertProblem(hub().get("/ops/sync-jobs/supplier/products/runs?limit=0", "X-API-Key", Keys.OPS), 400, "limit");
        assertThat(hub().get("/ops/sync-jobs").status()).as("no key").isEqualTo(401);

        store.setPaused("supplier", "products", true);
        assertProblem(opsPost("/ops/sync-jobs/supplier/products/run", ""), 409, "paused");
        assertThat(opsPost("/ops/sync-jobs/supplier/products/resume", "").status()).isEqualTo(200);
        assertThat(store.paused("supplier", "products")).isFalse();

        jdbc.update("UPDATE sync_job SET lease_owner = 'other', lease_run_id = 'r', lease_expires_at = ? WHERE job = 'products'",
                java.sql.Timestamp.from(Instant.now().plusSeconds(60)));
        assertProblem(opsPost("/ops/sync-jobs/supplier/products/run", ""), 409, "is running");
        assertProblem(opsPost("/ops/sync-jobs/supplier/products/checkpoint", "{\"cursor\":\"1\"}"), 409, "is running");
        assertThat(opsJob("products").get("state").asText()).isEqualTo("running");
        assertThat(opsJob("products").get("owner").asText()).isEqualTo("other");
    }

    @Test
    void runNowMakesTheJobDueAndIsAudited() {
        jdbc.update("UPDATE sync_job SET next_run_at = ? WHERE job = 'products'", java.sql.Timestamp.from(Instant.now().plusSeconds(3600)));
        Partner supplier = partners.find("supplier").orElseThrow();
        SyncJob job = supplier.syncJob("products").orElseThrow();
        assertThat(runner.runIfDue(supplier, job, "schedule", false)).as("not due yet").isEmpty();

        assertThat(opsPost("/ops/sync-jobs/supplier/products/run", "").status()).isEqualTo(202);

        assertThat(runner.runIfDue(supplier, job, "schedule", false)).as("due now").isPresent();
        assertThat(hub().get("/ops/audit?partner=supplier&action=sync-run", "X-API-Key", Keys.OPS).json()).hasSize(1);
    }

    // --- helpers ---

    String run(String job) {
        Partner supplier = partners.find("supplier").orElseThrow();
        return runner.runIfDue(supplier, supplier.syncJob(job).orElseThrow(), "test", true).orElseThrow();
    }

    static InMemorySource.Row row(String id, int secondsAfterT0) {
        return new InMemorySource.Row(id, T0.plusSeconds(secondsAfterT0), "name-" + id);
    }

    /** Records in runs of equal timestamps, ids ordered within a run. */
    static List<InMemorySource.Row> rowsWithRuns(String prefix, int... runs) {
        List<InMemorySource.Row> rows = new ArrayList<>();
        int n = 0;
        for (int r = 0; r < runs.length; r++) {
            for (int i = 0; i < runs[r]; i++) {
                rows.add(new InMemorySource.Row("%s-%03d".formatted(prefix, n++), T0.plusSeconds(r), "name"));
            }
        }
        return rows;
    }

    static List<String> expectedKeys(List<InMemorySource.Row> rows) {
        return rows.stream().map(r -> r.id() + "@" + r.updatedAt()).toList();
    }

    List<String> keys(String event) {
        List<String> keys = jdbc.queryForList("SELECT idempotency_key FROM message WHERE partner = 'supplier' AND event = ?", String.class, event);
        Set<String> distinct = new HashSet<>(keys);
        assertThat(distinct).as("no key twice").hasSameSizeAs(keys);
        return keys;
    }

    SyncStore.RunRow runRow(String runId) {
        return jdbc.query("SELECT partner, job FROM sync_run WHERE run_id = ?", (rs, n) -> store.runs(rs.getString(1), rs.getString(2), 1000),
                runId).get(0).stream().filter(r -> r.runId().equals(runId)).findFirst().orElseThrow();
    }

    Checkpoint checkpoint(String job) {
        return store.find("supplier", job).orElseThrow().checkpoint();
    }

    JsonNode opsJob(String job) {
        HubClient.Res res = hub().get("/ops/sync-jobs/supplier/" + job, "X-API-Key", Keys.OPS);
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        return res.json();
    }

    static JsonNode find(JsonNode list, String job) {
        for (JsonNode j : list) {
            if (j.get("job").asText().equals(job)) {
                return j;
            }
        }
        throw new AssertionError("no job " + job + " in " + list);
    }

    HubClient hub() {
        return new HubClient(port);
    }

    HubClient.Res opsPost(String path, String json) {
        return hub().postJson(path, json, "X-API-Key", Keys.OPS);
    }

    static void assertProblem(HubClient.Res res, int status, String detail) {
        assertThat(res.status()).as(res.toString()).isEqualTo(status);
        assertThat(res.header("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(res.json().path("detail").asText()).containsIgnoringCase(detail);
    }

    static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
