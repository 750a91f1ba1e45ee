package dev.junction.erp.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.partner.PartnerRegistry;
import dev.junction.support.ErpHubTest;
import dev.junction.support.HubClient;
import dev.junction.support.Keys;
import dev.junction.support.MutableClock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.test.context.TestPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The agent registry of ERP-AGENTS.md (register, heartbeat, status, its audit and metrics, ops views, health) against a
 * running hub, on each database by a subclass. Time moves by a {@link MutableClock} replacing the hub's clock; the
 * scheduled sweep is set to an hour so that each test runs the sweeps it counts.
 */
@Import(AgentRegistryContract.TestClock.class)
@TestPropertySource(properties = "junction.erp.status-sweep=1h")
abstract class AgentRegistryContract extends ErpHubTest {

    static final String FF = "fresh-foods";
    static final String REGISTRATION = "{\"agentUrl\":\"https://agent.fresh-foods.example:8443/junction\",\"erpType\":\"EBP\",\"version\":\"1.4.2\"}";

    @TestConfiguration(proxyBeanMethods = false)
    static class TestClock {
        @Bean
        @Primary
        MutableClock testClock() {
            return new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        }
    }

    @Autowired
    MutableClock clock;

    @Autowired
    StatusSweep sweep;

    @Autowired
    MeterRegistry meters;

    @Autowired
    DataSource dataSource;

    @Autowired
    PartnerRegistry partners;

    @Autowired
    AgentMetrics metrics;

    @Autowired
    dev.junction.delivery.AgentDirectory agents;

    @BeforeEach
    void freshRegistry() {
        jdbc.update("DELETE FROM erp_agent");
        jdbc.update("DELETE FROM ops_audit WHERE action = 'agent-status'");
        // Forward only, a day per test: what one test leaves in the gauges' memory is never newer than the next one's time.
        clock.advance(Duration.ofDays(1));
    }

    HubClient.Res register(String body) {
        return agentPost(FF, Keys.FRESH_FOODS_AGENT, "/register", body);
    }

    HubClient.Res heartbeat(String body) {
        return agentPost(FF, Keys.FRESH_FOODS_AGENT, "/heartbeat", body);
    }

    long agentRows() {
        return jdbc.queryForObject("SELECT COUNT(*) FROM erp_agent", Long.class);
    }

    Map<String, Object> row() {
        return jdbc.queryForMap("SELECT * FROM erp_agent WHERE vendor = ?", FF);
    }

    /** Columns of fresh-foods' row, by name (the row map ignores case: H2 answers upper case, PostgreSQL lower). */
    List<Object> columns(String... names) {
        Map<String, Object> row = row();
        List<Object> values = new ArrayList<>();
        for (String name : names) {
            values.add(row.get(name));
        }
        return values;
    }

    List<String> statusAudit() {
        return jdbc.queryForList("SELECT actor || ' ' || reason FROM ops_audit WHERE action = 'agent-status' AND receipt_id IS NULL ORDER BY id",
                String.class);
    }

    double transitions(String from, String to) {
        Counter c = meters.find("junction.agent.transitions").tags("vendor", FF, "from", from, "to", to).counter();
        return c == null ? 0 : c.count();
    }

    double gauge(String name, String vendor) {
        return meters.get(name).tag("vendor", vendor).gauge().value();
    }

    static void assertProblem(HubClient.Res res, int status, String slug) {
        assertThat(res.status()).as(res.toString()).isEqualTo(status);
        assertThat(res.header("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
        assertThat(res.json().path("type").asText()).isEqualTo("https://junction.dev/problems/" + slug);
    }

    static List<String> pointers(HubClient.Res res) {
        return res.json().path("errors").findValuesAsText("pointer");
    }

    // --- who may call ---------------------------------------------------------------------------------------------

    @Test
    void onlyTheVendorsOwnTokenIsAdmittedAndRefusalsWriteNothing() {
        for (String path : List.of("/register", "/heartbeat")) {
            String url = "/agents/" + FF + path;
            Map<String, HubClient.Res> refused = Map.of(
                    "brewery's token", hub().postJson(url, REGISTRATION, "Authorization", "Bearer " + Keys.BREWERY_AGENT),
                    "market's partner key", hub().postJson(url, REGISTRATION, "X-API-Key", Keys.MARKET),
                    "fresh-foods' webhook key", hub().postJson(url, REGISTRATION, "X-API-Key", Keys.FRESH_FOODS_WEBHOOKS),
                    "an ops key", hub().postJson(url, REGISTRATION, "X-API-Key", Keys.OPS),
                    "the expired token", hub().postJson(url, REGISTRATION, "Authorization", "Bearer " + Keys.FRESH_FOODS_AGENT_EXPIRED),
                    "no key", hub().postJson(url, REGISTRATION));
            refused.forEach((who, res) -> {
                int expected = who.equals("the expired token") || who.equals("no key") ? 401 : 403;
                assertProblem(res, expected, expected == 401 ? "unauthorized" : "forbidden");
            });
            assertThat(agentRows()).as("rows after refusals on " + path).isZero();
        }
        assertThat(register(REGISTRATION).status()).isEqualTo(200);
        Map<String, Object> registered = row();

        clock.advance(Duration.ofSeconds(30));
        assertProblem(agentPost(FF, Keys.BREWERY_AGENT, "/heartbeat", "{}"), 403, "forbidden");
        assertProblem(hub().postJson("/agents/" + FF + "/heartbeat", "{}", "X-API-Key", Keys.MARKET), 403, "forbidden");
        assertProblem(agentPost(FF, Keys.FRESH_FOODS_AGENT_EXPIRED, "/register", "{\"agentUrl\":\"http://evil.example\"}"), 401, "unauthorized");
        assertThat(row()).as("a refused heartbeat or registration changes nothing").isEqualTo(registered);

        HubClient.Res viaHeader = hub().postJson("/agents/" + FF + "/heartbeat", "{}", "X-API-Key", Keys.FRESH_FOODS_AGENT);
        assertThat(viaHeader.status()).as(viaHeader.toString()).isEqualTo(200);
        assertThat(agentRows()).isEqualTo(1);
    }

    // --- register -------------------------------------------------------------------------------------------------

    @Test
    void registeringStoresTheAgentAnswersOnlineAndAuditsItsFirstAppearance() {
        Instant t0 = clock.instant();
        HubClient.Res res = register(REGISTRATION);

        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        assertThat(res.json().path("vendor").asText()).isEqualTo(FF);
        assertThat(res.json().path("status").asText()).isEqualTo("online");
        assertThat(Instant.parse(res.json().path("registeredAt").asText())).isEqualTo(t0);
        assertThat(columns("agent_url", "erp_type", "version", "status"))
                .containsExactly("https://agent.fresh-foods.example:8443/junction", "EBP", "1.4.2", "online");
        assertThat(statusAudit()).containsExactly("agent-2026 fresh-foods: never-seen -> online (registered)");

        clock.advance(Duration.ofMinutes(1));
        HubClient.Res again = register("{\"agentUrl\":\"http://10.0.0.7:9000\",\"version\":\"1.5.0\",\"unknown\":{\"ignored\":true}}");

        assertThat(again.status()).as(again.toString()).isEqualTo(200);
        assertThat(Instant.parse(again.json().path("registeredAt").asText())).as("this registration's time").isEqualTo(t0.plusSeconds(60));
        assertThat(columns("agent_url", "version", "erp_type")).containsExactly("http://10.0.0.7:9000", "1.5.0", null);
        assertThat(agentRows()).isEqualTo(1);
        assertThat(statusAudit()).as("still online: nothing to audit").hasSize(1);
        JsonNode view = opsGet("/ops/agents/" + FF).json();
        assertThat(Instant.parse(view.path("lastHeartbeatAt").asText())).as("registering counts as a heartbeat").isEqualTo(t0.plusSeconds(60));
    }

    @Test
    void aRegistrationIsCheckedBeforeAnythingIsStored() {
        Map<String, String> invalid = Map.of(
                "{}", "/agentUrl",
                "{\"agentUrl\":null}", "/agentUrl",
                "{\"agentUrl\":42}", "/agentUrl",
                "{\"agentUrl\":\"/relative/path\"}", "/agentUrl",
                "{\"agentUrl\":\"ftp://agent.example\"}", "/agentUrl",
                "{\"agentUrl\":\"http://\"}", "/agentUrl",
                "{\"agentUrl\":\"https:opaque\"}", "/agentUrl",
                "{\"agentUrl\":\"http://a.example\",\"erpType\":\"" + "x".repeat(65) + "\"}", "/erpType",
                "{\"agentUrl\":\"http://a.example\",\"version\":7}", "/version");
        invalid.forEach((body, pointer) -> {
            HubClient.Res res = register(body);
            assertProblem(res, 422, "validation-failed");
            assertThat(pointers(res)).as(body).containsExactly(pointer);
        });
        HubClient.Res several = register("{\"agentUrl\":\"mailto:ops@example.com\",\"erpType\":[],\"version\":\"" + "v".repeat(65) + "\"}");
        assertThat(pointers(several)).containsExactlyInAnyOrder("/agentUrl", "/erpType", "/version");

        assertProblem(hub().post("/agents/" + FF + "/register", "text/plain", REGISTRATION.getBytes(StandardCharsets.UTF_8),
                "Authorization", "Bearer " + Keys.FRESH_FOODS_AGENT), 415, "unsupported-media-type");
        assertProblem(register("{\"agentUrl\":"), 400, "malformed-request");
        assertProblem(register("[\"http://a.example\"]"), 400, "malformed-request");
        assertProblem(register(""), 400, "malformed-request");
        assertProblem(register("{\"agentUrl\":\"http://a.example\",\"pad\":\"" + "p".repeat(64 * 1024) + "\"}"), 413, "payload-too-large");
        assertThat(agentRows()).isZero();
        assertThat(statusAudit()).isEmpty();

        assertThat(register("{\"agentUrl\":\"HTTP://Agent.Example\"}").status()).as("erpType and version are optional").isEqualTo(200);
    }

    // --- heartbeat ------------------------------------------------------------------------------------------------

    @Test
    void aHeartbeatBeforeRegistrationIsAConflictThatSaysToRegister() {
        HubClient.Res res = heartbeat("{\"version\":\"1.0\"}");

        assertProblem(res, 409, "conflict");
        assertThat(res.json().path("detail").asText()).contains("register", "agentUrl");
        assertThat(agentRows()).isZero();
    }

    @Test
    void aHeartbeatRecordsWhatTheAgentReportsAndChecksIt() {
        register(REGISTRATION);
        clock.advance(Duration.ofSeconds(20));

        HubClient.Res res = heartbeat("{\"version\":\"1.4.3\",\"pendingOrders\":4,\"queue\":\"ignored\"}");

        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        assertThat(res.json().path("status").asText()).isEqualTo("online");
        assertThat(Instant.parse(res.json().path("serverTime").asText())).isEqualTo(clock.instant());
        assertThat(columns("version", "agent_pending_orders")).containsExactly("1.4.3", 4);

        for (String body : List.of("{\"pendingOrders\":-1}", "{\"pendingOrders\":1.5}", "{\"pendingOrders\":\"3\"}",
                "{\"pendingOrders\":3000000000}", "{\"pendingOrders\":true}")) {
            HubClient.Res bad = heartbeat(body);
            assertProblem(bad, 422, "validation-failed");
            assertThat(pointers(bad)).as(body).containsExactly("/pendingOrders");
        }
        assertThat(pointers(heartbeat("{\"version\":\"" + "9".repeat(65) + "\"}"))).containsExactly("/version");
        assertProblem(heartbeat("{"), 400, "malformed-request");
        assertProblem(heartbeat("17"), 400, "malformed-request");
        assertProblem(hub().post("/agents/" + FF + "/heartbeat", "application/xml", "<hb/>".getBytes(StandardCharsets.UTF_8),
                "Authorization", "Bearer " + Keys.FRESH_FOODS_AGENT), 415, "unsupported-media-type");

        clock.advance(Duration.ofSeconds(20));
        HubClient.Res empty = hub().post("/agents/" + FF + "/heartbeat", null, new byte[0], "Authorization", "Bearer " + Keys.FRESH_FOODS_AGENT);
        assertThat(empty.status()).as("an empty body is a heartbeat with nothing to report: " + empty).isEqualTo(200);
        assertThat(columns("version", "agent_pending_orders")).as("what the agent left out keeps its last report")
                .containsExactly("1.4.3", 4);
        JsonNode view = opsGet("/ops/agents/" + FF).json();
        assertThat(view.path("agentPendingOrders").asInt()).isEqualTo(4);
        assertThat(Instant.parse(view.path("lastHeartbeatAt").asText())).isEqualTo(clock.instant());
    }

    // --- status, audit, metrics -----------------------------------------------------------------------------------

    @Test
    void deliveryMayCallAnOnlineOrDegradedAgentButHoldsOrdersForAnOfflineOne() {
        assertThat(agents.agent(FF)).as("never registered: no agent to call").isEmpty();
        register(REGISTRATION);
        assertThat(agents.agent(FF)).hasValueSatisfying(a -> assertThat(a.reachable()).isTrue());
        clock.advance(Duration.ofMinutes(2).plusSeconds(5));
        assertThat(agents.agent(FF)).as("degraded agents still get calls").hasValueSatisfying(a -> {
            assertThat(a.reachable()).isTrue();
            assertThat(a.status()).isEqualTo("degraded");
        });
        clock.advance(Duration.ofMinutes(8));
        assertThat(agents.agent(FF)).as("offline: its orders are held").hasValueSatisfying(a -> {
            assertThat(a.reachable()).isFalse();
            assertThat(a.status()).isEqualTo("offline");
        });
        heartbeat("{}");
        assertThat(agents.agent(FF)).hasValueSatisfying(a -> assertThat(a.reachable()).isTrue());
    }

    @Test
    void statusFollowsHeartbeatsAndEachTransitionIsAuditedAndCountedOnce() {
        double degraded = transitions("online", "degraded");
        double offline = transitions("degraded", "offline");
        double back = transitions("offline", "online");
        register(REGISTRATION);
        sweep.sweep();
        assertThat(status(FF)).isEqualTo("online");
        assertThat(gauge("junction.agent.status", FF)).isEqualTo(3);

        clock.advance(Duration.ofMinutes(2).plusSeconds(5));
        assertThat(status(FF)).as("computed when read, before any sweep").isEqualTo("degraded");
        sweep.sweep();
        sweep.sweep();
        assertThat(gauge("junction.agent.status", FF)).isEqualTo(2);
        assertThat(gauge("junction.agent.last.heartbeat.age", FF)).isEqualTo(125.0);

        clock.advance(Duration.ofMinutes(8));
        sweep.sweep();
        sweep.sweep();
        assertThat(status(FF)).isEqualTo("offline");
        assertThat(gauge("junction.agent.status", FF)).isEqualTo(1);

        HubClient.Res hb = heartbeat("{}");
        assertThat(hb.status()).isEqualTo(200);
        sweep.sweep();
        assertThat(status(FF)).isEqualTo("online");
        assertThat(gauge("junction.agent.status", FF)).isEqualTo(3);

        assertThat(statusAudit()).containsExactly(
                "agent-2026 fresh-foods: never-seen -> online (registered)",
                "hub fresh-foods: online -> degraded (no heartbeat for 2m 5s)",
                "hub fresh-foods: degraded -> offline (no heartbeat for 10m 5s)",
                "agent-2026 fresh-foods: offline -> online (heartbeat)");
        assertThat(columns("status")).containsExactly("online");
        assertThat(transitions("online", "degraded") - degraded).isEqualTo(1);
        assertThat(transitions("degraded", "offline") - offline).isEqualTo(1);
        assertThat(transitions("offline", "online") - back).isEqualTo(1);

        assertThat(status("brewery")).isEqualTo("never-seen");
        assertThat(gauge("junction.agent.status", "brewery")).isZero();
        assertThat(gauge("junction.agent.last.heartbeat.age", "brewery")).isNaN();
    }

    @Test
    void opsReadTheAgentTransitionsInTheAudit() {
        register(REGISTRATION);
        clock.advance(Duration.ofMinutes(3));
        sweep.sweep();

        for (String path : List.of("/ops/audit?action=agent-status", "/ops/audit")) {
            HubClient.Res res = opsGet(path);
            assertThat(res.status()).as(res.toString()).isEqualTo(200);
            JsonNode newest = res.json().get(0);
            assertThat(newest.path("action").asText()).isEqualTo("agent-status");
            assertThat(newest.path("actor").asText()).isEqualTo("hub");
            assertThat(newest.path("receiptId").isNull()).isTrue();
            assertThat(newest.path("reason").asText()).isEqualTo("fresh-foods: online -> degraded (no heartbeat for 3m)");
        }
        assertThat(opsGet("/ops/audit?action=agent-status").json().findValuesAsText("action")).containsOnly("agent-status").hasSize(2);
        assertThat(opsGet("/ops/audit?action=replay").json().findValuesAsText("action")).doesNotContain("agent-status");
    }

    @Test
    void twoInstancesSweepingTogetherRecordEachTransitionOnce() throws Exception {
        register(REGISTRATION);
        StatusSweep first = anotherInstancesSweep();
        StatusSweep second = anotherInstancesSweep();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (Duration step : List.of(Duration.ofMinutes(2), Duration.ofMinutes(8), Duration.ofMinutes(1))) {
                clock.advance(step);
                CyclicBarrier together = new CyclicBarrier(2);
                List<Future<Integer>> runs = new ArrayList<>();
                for (StatusSweep s : List.of(first, second)) {
                    runs.add(pool.submit(() -> {
                        together.await();
                        return s.sweep() + s.sweep();
                    }));
                }
                int recorded = 0;
                for (Future<Integer> run : runs) {
                    recorded += run.get();
                }
                assertThat(recorded).as("transitions recorded after " + step).isEqualTo(step.toMinutes() == 1 ? 0 : 1);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(statusAudit()).containsExactly(
                "agent-2026 fresh-foods: never-seen -> online (registered)",
                "hub fresh-foods: online -> degraded (no heartbeat for 2m)",
                "hub fresh-foods: degraded -> offline (no heartbeat for 10m)");
    }

    /** The sweep as another hub instance runs it: its own store and transactions over the same database. */
    StatusSweep anotherInstancesSweep() {
        return new StatusSweep(partners, new AgentStore(new NamedParameterJdbcTemplate(dataSource)), metrics,
                new TransactionTemplate(new DataSourceTransactionManager(dataSource)), clock);
    }

    @Test
    void aSweepNeverRecordsASilenceThatAHeartbeatEnded() {
        register(REGISTRATION);
        clock.advance(Duration.ofMinutes(3));
        AgentRow stale = new AgentStore(new NamedParameterJdbcTemplate(dataSource)).find(FF).orElseThrow();
        heartbeat("{}");

        boolean moved = new TransactionTemplate(new DataSourceTransactionManager(dataSource)).execute(s -> new AgentStore(
                new NamedParameterJdbcTemplate(dataSource)).move(new Transition(FF, AgentStatus.ONLINE, AgentStatus.DEGRADED,
                clock.instant(), "hub", "late"), stale.lastHeartbeatAt()));

        assertThat(moved).isFalse();
        assertThat(columns("status")).containsExactly("online");
        assertThat(statusAudit()).hasSize(1);
    }

    // --- ops views and health -------------------------------------------------------------------------------------

    String status(String vendor) {
        return opsGet("/ops/agents/" + vendor).json().path("status").asText();
    }

    @Test
    void opsListEveryVendorWithAnAgentSortedByVendor() {
        register(REGISTRATION);
        heartbeat("{\"pendingOrders\":2}");

        HubClient.Res res = opsGet("/ops/agents");

        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        assertThat(res.json().findValuesAsText("vendor")).containsExactly("brewery", FF);
        JsonNode brewery = res.json().get(0);
        assertThat(brewery.path("status").asText()).isEqualTo("never-seen");
        for (String field : List.of("lastHeartbeatAt", "agentUrl", "erpType", "version", "agentPendingOrders")) {
            assertThat(brewery.has(field) && brewery.get(field).isNull()).as(field).isTrue();
        }
        assertThat(brewery.path("pendingOrders").asInt()).isZero();
        JsonNode ff = res.json().get(1);
        assertThat(ff.path("status").asText()).isEqualTo("online");
        assertThat(ff.path("agentUrl").asText()).isEqualTo("https://agent.fresh-foods.example:8443/junction");
        assertThat(ff.path("erpType").asText()).isEqualTo("EBP");
        assertThat(ff.path("version").asText()).isEqualTo("1.4.2");
        assertThat(ff.path("pendingOrders").asInt()).isZero();
        assertThat(ff.path("agentPendingOrders").asInt()).isEqualTo(2);
        assertThat(opsGet("/ops/agents/" + FF).json()).isEqualTo(ff);

        assertProblem(opsGet("/ops/agents/market"), 404, "not-found");
        assertProblem(opsGet("/ops/agents/nobody"), 404, "not-found");
        assertProblem(hub().get("/ops/agents"), 401, "unauthorized");
        assertProblem(hub().get("/ops/agents", "X-API-Key", Keys.MARKET), 403, "forbidden");
        assertProblem(hub().get("/ops/agents", "Authorization", "Bearer " + Keys.FRESH_FOODS_AGENT), 403, "forbidden");
    }

    @Test
    void anOfflineAgentLeavesTheHubUpAndOpsSeeItInTheOpsHealthGroup() {
        register(REGISTRATION);
        clock.advance(Duration.ofMinutes(11));

        HubClient.Res open = hub().get("/actuator/health");
        assertThat(open.status()).as(open.toString()).isEqualTo(200);
        assertThat(open.body()).as("no component, detail or group name in public").isEqualTo("{\"status\":\"UP\"}");

        HubClient.Res ops = opsGet("/actuator/health/ops");
        assertThat(ops.status()).as(ops.toString()).isEqualTo(200);
        assertThat(ops.json().path("status").asText()).isEqualTo("UP");
        JsonNode agents = ops.json().path("components").path("agents");
        assertThat(agents.path("status").asText()).isEqualTo("UP");
        assertThat(agents.path("details").path("offline").toString()).isEqualTo("[\"fresh-foods\"]");
        assertThat(agents.path("details").path("never-seen").toString()).isEqualTo("[\"brewery\"]");
        assertThat(agents.path("details").path("degraded").toString()).isEqualTo("[]");

        assertProblem(hub().get("/actuator/health/ops"), 401, "unauthorized");
        assertProblem(hub().get("/actuator/health/ops/agents"), 401, "unauthorized");
        assertProblem(hub().get("/actuator/health/ops", "X-API-Key", Keys.MARKET), 403, "forbidden");
        assertThat(hub().get("/actuator/health/ops/").status()).isIn(401, 404);
    }
}
