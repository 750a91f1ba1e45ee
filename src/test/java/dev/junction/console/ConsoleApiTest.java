package dev.junction.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.support.HubClient;
import dev.junction.support.Keys;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * What the console needs from the hub besides the Ops API it already had: its static files with a strict
 * Content-Security-Policy, {@code GET /ops/whoami} (a read key's buttons are disabled up front), and the dead-letter
 * list's time and error filters (with the bulk replay counting exactly what the list shows).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "junction.connectors-dir=src/test/resources/delivery/connectors",
        "junction.routes-dir=src/test/resources/delivery/routes",
        "junction.ops-api-key=" + Keys.OPS,
        "junction.delivery.poll-interval=100ms",
        "SHOP_ERP_URL=http://127.0.0.1:9",
        "SHOP_ERP_TOKEN=unused",
})
class ConsoleApiTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) throws Exception {
        var dir = Files.createTempDirectory("junction-console-api");
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + dir.resolve("junction") + ";WRITE_DELAY=0");
        registry.add("junction.ops-keys[0].id", () -> "reader");
        registry.add("junction.ops-keys[0].sha256", () -> Keys.sha256(Keys.OPS_READ));
        registry.add("junction.ops-keys[0].role", () -> "read");
    }

    HubClient hub() {
        return new HubClient(port);
    }

    @Test
    void theConsoleIsServedWithAStrictContentSecurityPolicy() {
        HubClient.Res bare = hub().get("/console");
        assertThat(bare.status()).isEqualTo(302);
        assertThat(bare.header("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/console/"));

        for (String path : new String[] {"/console/", "/console/index.html", "/console/app.js", "/console/console.css"}) {
            HubClient.Res res = hub().get(path);
            assertThat(res.status()).as(path).isEqualTo(200);
            String csp = res.header("Content-Security-Policy").orElseThrow();
            assertThat(csp).as(path).contains("default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
                    "frame-ancestors 'none'", "base-uri 'none'").doesNotContain("unsafe-inline", "unsafe-eval");
            assertThat(res.header("X-Content-Type-Options")).as(path).contains("nosniff");
        }
        assertThat(hub().get("/console/").body()).contains("<script type=\"module\" src=\"app.js\"></script>").doesNotContain("<style", "onclick");
        assertThat(hub().get("/console/app.js").header("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).contains("javascript"));
        // Only the console's own responses: the Ops API answers JSON and a webhook's 202 carries no page policy.
        assertThat(hub().get("/ops/whoami", "X-API-Key", Keys.OPS).header("Content-Security-Policy")).isEmpty();
    }

    /** The browser test proves the rendering it exercises; this keeps every other path of the console off HTML parsing. */
    @Test
    void noConsoleScriptTurnsStringsIntoMarkup() throws Exception {
        try (var files = Files.walk(java.nio.file.Path.of("src/main/resources/static/console"))) {
            var scripts = files.filter(f -> f.toString().endsWith(".js")).toList();
            assertThat(scripts).hasSizeGreaterThan(5);
            for (var script : scripts) {
                assertThat(Files.readString(script)).as(script.toString())
                        .doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function");
            }
        }
    }

    @Test
    void whoamiTellsAnOpsKeyItsIdAndRole() {
        HubClient.Res reader = hub().get("/ops/whoami", "X-API-Key", Keys.OPS_READ);
        assertThat(reader.status()).as(reader.toString()).isEqualTo(200);
        assertThat(reader.json().path("id").asText()).isEqualTo("reader");
        assertThat(reader.json().path("role").asText()).isEqualTo("read");
        HubClient.Res admin = hub().get("/ops/whoami", "Authorization", "Bearer " + Keys.OPS);
        assertThat(admin.json().path("id").asText()).isEqualTo("env");
        assertThat(admin.json().path("role").asText()).isEqualTo("admin");

        assertThat(hub().get("/ops/whoami").status()).isEqualTo(401);
        assertThat(hub().get("/ops/whoami", "X-API-Key", "not-a-key").status()).isEqualTo(401);
        assertThat(hub().get("/ops/whoami", "X-API-Key", Keys.SHOP).status()).isEqualTo(403);
    }

    @Test
    void deadLettersFilterByTimeAndErrorAndBulkReplayCountsTheSame() {
        Instant before = Instant.now().minusSeconds(1);
        String receipt = deadLetter();
        String lastError = jdbc.queryForObject("SELECT last_error FROM message WHERE receipt_id = ?", String.class, receipt);
        String fragment = lastError.substring(0, Math.min(12, lastError.length())).toUpperCase();

        assertThat(ids("error=" + enc(fragment))).contains(receipt);
        assertThat(ids("error=" + enc("%_nothing-like-this_%"))).isEmpty();
        assertThat(ids("deadAfter=" + before)).contains(receipt);
        assertThat(ids("deadAfter=" + Instant.now().plusSeconds(60))).isEmpty();
        assertThat(ids("deadBefore=" + before)).doesNotContain(receipt);

        long dead = jdbc.queryForObject("SELECT COUNT(*) FROM message WHERE status = 'dead' AND partner = 'shop'", Long.class);
        HubClient.Res dry = hub().postJson("/ops/dead-letters/replay",
                "{\"partner\":\"shop\",\"error\":\"" + fragment + "\",\"dryRun\":true}", "X-API-Key", Keys.OPS);
        assertThat(dry.json().path("matched").asLong()).isEqualTo(dead);
        HubClient.Res none = hub().postJson("/ops/dead-letters/replay",
                "{\"partner\":\"shop\",\"error\":\"nothing like this\",\"dryRun\":true}", "X-API-Key", Keys.OPS);
        assertThat(none.json().path("matched").asLong()).isZero();

        HubClient.Res bad = hub().get("/ops/dead-letters?deadAfter=yesterday", "X-API-Key", Keys.OPS);
        assertThat(bad.status()).as(bad.toString()).isEqualTo(400);
        assertThat(bad.header("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
    }

    private java.util.List<String> ids(String query) {
        HubClient.Res res = hub().get("/ops/dead-letters?partner=shop&" + query, "X-API-Key", Keys.OPS_READ);
        assertThat(res.status()).as(query + " -> " + res).isEqualTo(200);
        return res.json().path("items").findValuesAsText("receiptId");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** A message the shop route cannot map: dead at its first attempt, through the real delivery engine. */
    private String deadLetter() {
        HubClient.Res accepted = hub().postJson("/webhooks/shop/order-unmappable", "{\"n\":1}", "X-API-Key", Keys.SHOP);
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        String receipt = accepted.json().path("receiptId").asText();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() ->
                "dead".equals(jdbc.queryForObject("SELECT status FROM message WHERE receipt_id = ?", String.class, receipt)));
        return receipt;
    }
}
