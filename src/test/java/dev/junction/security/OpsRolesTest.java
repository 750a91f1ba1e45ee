package dev.junction.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.junction.JunctionApplication;
import dev.junction.support.HubClient;
import dev.junction.support.Keys;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.web.FilterChainProxy;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Ops keys carry a role: {@code read} looks at everything, {@code admin} also acts. A read key's action is a 403 that
 * changes nothing (the message stays dead, no audit row). Negative control: with the admin check in
 * {@code Rules.ops} removed, {@link #aReadKeyCannotActAndNothingChanges} goes red (the read key's replay answers 202).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "junction.connectors-dir=src/test/resources/delivery/connectors",
        "junction.routes-dir=src/test/resources/delivery/routes",
        "junction.ops-api-key=" + Keys.OPS,
        "junction.delivery.poll-interval=100ms",
        "SHOP_ERP_URL=http://127.0.0.1:9",
        "SHOP_ERP_TOKEN=unused",
})
class OpsRolesTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    FilterChainProxy securityChain;

    @Autowired
    ApplicationContext context;

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) throws Exception {
        var dir = Files.createTempDirectory("junction-ops-roles");
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + dir.resolve("junction") + ";WRITE_DELAY=0");
        // One property source for the whole list: Spring Boot binds a list from the first source that has any of it.
        registry.add("junction.ops-keys[0].id", () -> "reader");
        registry.add("junction.ops-keys[0].sha256", () -> Keys.sha256(Keys.OPS_READ));
        registry.add("junction.ops-keys[0].role", () -> "read");
        registry.add("junction.ops-keys[1].id", () -> "boss");
        // No role: admin is the default.
        registry.add("junction.ops-keys[1].sha256", () -> Keys.sha256(Keys.OPS_ADMIN));
    }

    HubClient hub() {
        return new HubClient(port);
    }

    /** A message the shop route cannot map: dead at its first attempt, through the real delivery engine. */
    String deadLetter() {
        HubClient.Res accepted = hub().postJson("/webhooks/shop/order-unmappable", "{\"n\":1}", "X-API-Key", Keys.SHOP);
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        String receipt = accepted.json().path("receiptId").asText();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> "dead".equals(status(receipt)));
        return receipt;
    }

    String status(String receipt) {
        return jdbc.queryForObject("SELECT status FROM message WHERE receipt_id = ?", String.class, receipt);
    }

    long auditRows(String receipt) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM ops_audit WHERE receipt_id = ?", Long.class, receipt);
    }

    List<String> auditActors(String receipt) {
        return jdbc.queryForList("SELECT actor FROM ops_audit WHERE receipt_id = ? ORDER BY id", String.class, receipt);
    }

    @Test
    void aReadKeyGetsEveryOpsListAndDetail() {
        String receipt = deadLetter();
        for (String path : List.of("/ops/dead-letters", "/ops/dead-letters?partner=shop&limit=5", "/ops/dead-letters/" + receipt,
                "/ops/audit", "/ops/audit?receiptId=" + receipt, "/ops/audit?action=agent-status", "/ops/partners", "/ops/agents",
                "/ops/sandbox/requests", "/actuator/metrics", "/actuator/info", "/actuator/health/ops")) {
            HubClient.Res res = hub().get(path, "X-API-Key", Keys.OPS_READ);
            assertThat(res.status()).as(path + " -> " + res).isEqualTo(200);
        }
        assertThat(hub().get("/ops/dead-letters/" + receipt, "Authorization", "Bearer " + Keys.OPS_READ).json().path("receiptId").asText())
                .isEqualTo(receipt);
        assertThat(hub().get("/ops/dead-letters", "X-API-Key", Keys.OPS_READ).json().path("items").findValuesAsText("receiptId"))
                .contains(receipt);
    }

    @Test
    void aReadKeyCannotActAndNothingChanges() {
        String receipt = deadLetter();
        List<HubClient.Res> refused = List.of(
                hub().post("/ops/dead-letters/" + receipt + "/replay", null, new byte[0], "X-API-Key", Keys.OPS_READ),
                hub().postJson("/ops/dead-letters/" + receipt + "/discard", "{\"reason\":\"not mine to discard\"}", "X-API-Key", Keys.OPS_READ),
                hub().postJson("/ops/dead-letters/replay", "{\"partner\":\"shop\",\"dryRun\":false}", "Authorization", "Bearer " + Keys.OPS_READ),
                hub().postJson("/ops/dead-letters/replay", "{\"partner\":\"shop\",\"dryRun\":true}", "X-API-Key", Keys.OPS_READ));

        for (HubClient.Res res : refused) {
            assertThat(res.status()).as(res.toString()).isEqualTo(403);
            assertThat(res.header("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
            assertThat(res.json().path("status").asInt()).isEqualTo(403);
            assertThat(res.json().path("type").asText()).isEqualTo("https://junction.dev/problems/forbidden");
            assertThat(res.json().path("detail").asText()).contains("'reader'", "role read", "needs the role admin");
        }
        assertThat(status(receipt)).isEqualTo("dead");
        assertThat(jdbc.queryForObject("SELECT replays FROM message WHERE receipt_id = ?", Integer.class, receipt)).isZero();
        assertThat(auditRows(receipt)).isZero();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM message WHERE partner = 'shop' AND status <> 'dead'", Long.class)).isZero();
    }

    @Test
    void adminKeysActAndTheAuditNamesTheKey() {
        String replayed = deadLetter();
        String discarded = deadLetter();

        HubClient.Res replay = hub().post("/ops/dead-letters/" + replayed + "/replay", null, new byte[0], "X-API-Key", Keys.OPS_ADMIN);
        assertThat(replay.status()).as(replay.toString()).isEqualTo(202);
        HubClient.Res discard = hub().postJson("/ops/dead-letters/" + discarded + "/discard", "{\"reason\":\"duplicate\"}",
                "X-API-Key", Keys.OPS);
        assertThat(discard.status()).as(discard.toString()).isEqualTo(200);

        // Replayed into the same unmappable route: dead again, with one replay on record.
        await().atMost(Duration.ofSeconds(20)).until(() -> "dead".equals(status(replayed))
                && jdbc.queryForObject("SELECT replays FROM message WHERE receipt_id = ?", Integer.class, replayed) == 1);
        assertThat(auditActors(replayed)).containsExactly("boss");
        assertThat(status(discarded)).isEqualTo("discarded");
        assertThat(auditActors(discarded)).containsExactly("env");

        HubClient.Res bulk = hub().postJson("/ops/dead-letters/replay", "{\"partner\":\"shop\",\"event\":\"order-unmappable\",\"dryRun\":true}",
                "Authorization", "Bearer " + Keys.OPS);
        assertThat(bulk.status()).as(bulk.toString()).isEqualTo(200);
        assertThat(bulk.json().path("matched").asInt()).isPositive();
    }

    @Test
    void partnerKeysAreRefusedOnOpsWhateverTheMethod() {
        HubClient.Res get = hub().get("/ops/dead-letters", "X-API-Key", Keys.SHOP);
        HubClient.Res post = hub().postJson("/ops/dead-letters/replay", "{}", "X-API-Key", Keys.SHOP);
        for (HubClient.Res res : List.of(get, post)) {
            assertThat(res.status()).as(res.toString()).isEqualTo(403);
            assertThat(res.json().path("detail").asText()).isEqualTo("Partner keys cannot call ops endpoints");
        }
    }

    /** Every webhook runs this chain: nothing in it may keep state or do work the hub does not use. */
    @Test
    void theSecurityChainIsStatelessAndMinimal() {
        List<String> filters = securityChain.getFilterChains().get(0).getFilters().stream().map(f -> f.getClass().getSimpleName()).toList();
        assertThat(filters).containsExactly("WebAsyncManagerIntegrationFilter", "KeyAuthenticationFilter", "SignatureFilter",
                "ExceptionTranslationFilter", "AuthorizationFilter");
        assertThat(context.getBeanNamesForType(UserDetailsService.class)).as("a generated user and password").isEmpty();

        HubClient.Res refused = hub().get("/ops/partners");
        HubClient.Res admitted = hub().get("/ops/partners", "X-API-Key", Keys.OPS_READ);
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.header("WWW-Authenticate")).hasValue("Bearer realm=\"junction\"");
        assertThat(admitted.status()).isEqualTo(200);
        for (HubClient.Res res : List.of(refused, admitted)) {
            assertThat(res.header("Set-Cookie")).as("no session").isEmpty();
            assertThat(res.header("X-Frame-Options")).as("no security headers on an API").isEmpty();
        }
    }

    /**
     * The firewall checks parameter names only when a handler reads them, after the security chain: a refusal there
     * would be a 500. Control: with the firewall's default parameter-name check, the metrics endpoint answered 500.
     */
    @Test
    void oddQueryParameterNamesAreNeverAServerError() {
        for (String path : List.of("/actuator/metrics/http.server.requests?%01=x", "/ops/dead-letters?%7F=1&partner=shop")) {
            HubClient.Res res = hub().get(path, "X-API-Key", Keys.OPS_READ);
            assertThat(res.status()).as(path + " -> " + res).isBetween(200, 499);
        }
    }

    @Test
    void aRoleOtherThanReadOrAdminStopsStartupNamingTheSetting() {
        StandardEnvironment env = new StandardEnvironment();
        // Spelled as the environment variables DESIGN documents, read the way Spring Boot reads the real environment.
        env.getPropertySources().addFirst(new SystemEnvironmentPropertySource("test-" + StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                Map.of("JUNCTION_OPS_KEYS_0_ID", "typo", "JUNCTION_OPS_KEYS_0_SHA256", Keys.sha256("typo-key"),
                        "JUNCTION_OPS_KEYS_0_ROLE", "superuser")));
        SpringApplicationBuilder hub = new SpringApplicationBuilder(JunctionApplication.class).environment(env);

        assertThatThrownBy(() -> hub.run("--server.port=0", "--junction.connectors-dir=src/test/resources/it/connectors",
                "--junction.routes-dir=src/test/resources/it/routes", "--junction.data-dir=" + Files.createTempDirectory("junction-bad-role")))
                .hasStackTraceContaining("opsKeys[0].role")
                .hasStackTraceContaining("rejected value [superuser]")
                .hasStackTraceContaining("must be read or admin (junction.ops-keys[n].role, env JUNCTION_OPS_KEYS_n_ROLE)");
    }
}
