package dev.junction.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.junction.partner.ConnectorCheck;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The CLI's commands over copies of the shipped connectors and routes, as an integrator runs them; no Spring, no hub. */
class CliTest {

    @TempDir
    Path work;

    Path connectors;
    CliRun cli;

    @BeforeEach
    void shippedFiles() {
        CliRun.shippedFilesIn(work);
        connectors = work.resolve("connectors");
        cli = new CliRun(work, Map.of());
    }

    @Test
    void createdPartnerGetsKeysAddedRotatedAndRevokedAndStaysValidThroughout() throws IOException {
        CliRun.Result created = cli.run("partner", "create", "acme", "--display-name", "ACME Retail: \"EU\"");
        assertThat(created.code()).isZero();
        String firstKey = created.printedKey();
        assertThat(created.out()).contains("shown this once and stored nowhere");
        assertThat(hashes("acme")).containsExactly(sha256Hex(firstKey));
        assertThat(descriptor("acme").get("displayName").asText()).isEqualTo("ACME Retail: \"EU\"");
        assertThat(descriptor("acme").get("events").size()).isZero();
        assertValid("3 connectors, 8 routes valid");

        CliRun.Result added = cli.run("key", "add", "acme");
        assertThat(added.code()).isZero();
        assertThat(ids("acme")).containsExactly("key-2026-11-30", "key-2026-11-30-2");
        assertThat(hashes("acme").get(1)).isEqualTo(sha256Hex(added.printedKey()));

        CliRun.Result rotated = cli.run("key", "rotate", "acme", "key-2026-11-30", "--id", "second");
        assertThat(rotated.code()).as(rotated.err()).isZero();
        JsonNode keys = descriptor("acme").get("apiKeys");
        assertThat(keys.get(0).get("expiresAt").asText()).isEqualTo(CliRun.NOW.plus(Duration.ofHours(24)).toString());
        assertThat(keys.get(2).get("id").asText()).isEqualTo("second");
        assertThat(keys.get(2).get("sha256").asText()).isEqualTo(sha256Hex(rotated.printedKey()));
        assertThat(keys.get(2).has("expiresAt")).isFalse();
        assertValid("3 connectors, 8 routes valid");

        assertThat(cli.run("key", "revoke", "acme", "key-2026-11-30").code()).isZero();
        assertThat(ids("acme")).containsExactly("key-2026-11-30-2", "second");
        assertValid("3 connectors, 8 routes valid");

        String file = Files.readString(connectors.resolve("acme.yaml"));
        for (String key : List.of(firstKey, added.printedKey(), rotated.printedKey())) {
            assertThat(file).doesNotContain(key);
            assertThat(key).matches("jk_[A-Za-z0-9_-]{43}");
        }
    }

    @Test
    void aKeyAddChangesNothingInDemoYamlButTheNewLines() throws IOException {
        Path demo = connectors.resolve("demo.yaml");
        String before = Files.readString(demo);

        CliRun.Result added = cli.run("key", "add", "demo", "--id", "portal", "--expires-at", "2027-06-30T00:00:00Z");

        assertThat(added.code()).isZero();
        String after = Files.readString(demo);
        String inserted = "  - id: portal\n    sha256: " + sha256Hex(added.printedKey()) + "\n    expiresAt: 2027-06-30T00:00:00Z\n";
        assertThat(after).contains("  - id: sandbox\n    sha256: 11d0298a130990113539effa22edaaf9a2d82b8c71c547e8fd6338370411bcfa\n" + inserted);
        assertThat(after.replace(inserted, "")).isEqualTo(before);
        assertThat(after).contains("#   demo-key-2f6c1b7e9a4d   (only its SHA-256 is stored here)",
                "rateLimit: { capacity: 100, refillPerSecond: 50 }",
                "    # The hub's own sandbox receiver; GET /ops/sandbox/requests lists what it received.");
    }

    @Test
    void validateListsTheProblemsOfEveryBrokenFileAndExits1() throws IOException {
        Path demo = connectors.resolve("demo.yaml");
        Files.writeString(demo, Files.readString(demo)
                .replace("capacity: 100", "capacity: lots")
                .replace("maxBodyBytes: 262144", "maxBodyBytes: 262144\ncolour: blue"));
        Path fresh = connectors.resolve("fresh-foods.yaml");
        Files.writeString(fresh, Files.readString(fresh)
                .replace("route: fresh-foods-mirror-changed\n  warehouse", "route: no-such-route\n  warehouse")
                .replace("initialDelay: 2s", "initialDelay: soon"));
        Path broken = Files.writeString(connectors.resolve("broken.yaml"), "partner: [unclosed\n");

        CliRun.Result result = cli.run("validate");

        assertThat(result.code()).isEqualTo(1);
        assertThat(result.outLines()).containsExactlyInAnyOrder(
                ConnectorCheck.display(broken) + ": not valid YAML: " + firstLine(result, broken),
                ConnectorCheck.display(demo) + ": /colour: property 'colour' is not defined in the schema and the schema does not allow additional properties",
                ConnectorCheck.display(demo) + ": /rateLimit/capacity: string found, integer expected",
                ConnectorCheck.display(fresh) + ": /retry/initialDelay: does not match the regex pattern ^([0-9]+(ms|s|m|h|d)|[Pp][0-9A-Za-z.,]+)$");
        assertThat(result.err()).contains("4 problems");

        // Schema-valid, the file's semantic sections are each checked: the route and a duration the pattern lets through.
        Files.writeString(fresh, Files.readString(fresh).replace("initialDelay: soon", "initialDelay: PT5Q"));
        CliRun.Result semantic = cli.run("validate");
        assertThat(semantic.outLines()).contains(
                ConnectorCheck.display(fresh) + ": /events/item-changed/route: route 'no-such-route' is not declared in any file of the routes folder",
                ConnectorCheck.display(fresh) + ": /retry/initialDelay: 'PT5Q' is not a duration (use 500ms, 5s, 10m, 2h, 1d or ISO-8601 like PT5S)");
    }

    @Test
    void aBrokenRoutesFolderIsReportedAndTheConnectorsAreStillChecked() throws IOException {
        Path route = Files.writeString(work.resolve("routes/acme.yaml"), "- route:\n    from: { uri: direct:x }\n");
        Path demo = connectors.resolve("demo.yaml");
        Files.writeString(demo, Files.readString(demo).replace("capacity: 100", "capacity: lots"));

        CliRun.Result result = cli.run("validate");

        assertThat(result.code()).isEqualTo(1);
        assertThat(result.outLines()).containsExactly(
                ConnectorCheck.display(route) + ": /0/route/id: every route needs an id",
                ConnectorCheck.display(demo) + ": /rateLimit/capacity: string found, integer expected");
    }

    @Test
    void validateNeedsNoPlaceholderSetAndChecksEventSchemas() throws IOException {
        Path demo = connectors.resolve("demo.yaml");
        Files.writeString(demo, Files.readString(demo).replace("timeout: 5s\n    circuitBreaker", "timeout: 5s\n    headers: { Authorization: \"Bearer ${DEMO_UNSET_TOKEN}\" }\n    circuitBreaker")
                .replace("${JUNCTION_SANDBOX_URL:http://localhost:${server.port:8080}/sandbox/demo}", "${DEMO_UNSET_URL}"));
        assertValid("2 connectors, 8 routes valid");

        Path schema = work.resolve("openapi/schemas/demo/order-created.json");
        Files.writeString(schema, "{\"type\": 5}");
        CliRun.Result invalidSchema = cli.run("validate");
        assertThat(invalidSchema.code()).isEqualTo(1);
        assertThat(invalidSchema.out()).startsWith(ConnectorCheck.display(demo) + ": /events/order-created/schema: schema file ")
                .contains("is not a valid JSON Schema");

        Files.delete(schema);
        assertThat(cli.run("validate").out()).contains("/events/order-created/schema: schema file").contains("does not exist");
    }

    @Test
    void moreChecksAddTheirLinesToValidate() {
        Check fixtures = (c, r) -> List.of(r.resolve("tests/demo-order-created/happy/expected.json") + ": /body/sku: expected \"A-1\", got \"B-2\"");
        StringWriter out = new StringWriter();
        JunctionCli.Context context = new JunctionCli.Context(work, Map.of(), Clock.systemUTC(), new SecureRandom(),
                new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));

        int code = new CommandLine(new ValidateCommand(context, List.of(fixtures))).execute();

        assertThat(code).isEqualTo(1);
        assertThat(out.toString()).isEqualTo(work.resolve("routes/tests/demo-order-created/happy/expected.json")
                + ": /body/sku: expected \"A-1\", got \"B-2\"\n");
    }

    @Test
    void foldersComeFromTheEnvironmentAndOptionsOverrideIt() throws IOException {
        Path elsewhere = Files.createDirectories(work.resolve("elsewhere"));
        CliRun.copy(connectors, elsewhere.resolve("conn"));
        CliRun.copy(work.resolve("routes"), elsewhere.resolve("rts"));
        Files.delete(elsewhere.resolve("conn/fresh-foods.yaml"));
        CliRun fromEnv = new CliRun(work, Map.of("JUNCTION_CONNECTORS_DIR", "elsewhere/conn", "JUNCTION_ROUTES_DIR", "elsewhere/rts"));

        assertThat(fromEnv.run("validate").out()).isEqualTo("1 connector, 8 routes valid\n");
        assertThat(fromEnv.run("validate", "--connectors-dir", "connectors").out()).isEqualTo("2 connectors, 8 routes valid\n");

        assertThat(fromEnv.run("partner", "create", "acme").code()).isZero();
        assertThat(elsewhere.resolve("conn/acme.yaml")).exists();
        assertThat(connectors.resolve("acme.yaml")).doesNotExist();
    }

    @Test
    void partnerCreateRefusesAnExistingPartnerAndAnInvalidId() throws IOException {
        String demo = Files.readString(connectors.resolve("demo.yaml"));

        CliRun.Result exists = cli.run("partner", "create", "demo");
        assertThat(exists.code()).isEqualTo(1);
        assertThat(exists.err()).contains("partner 'demo' exists");
        assertThat(exists.out()).doesNotContain(NewKey.PREFIX);
        assertThat(Files.readString(connectors.resolve("demo.yaml"))).isEqualTo(demo);

        for (String bad : List.of("Acme", "a", "acme_retail", "acme.yaml", "x".repeat(64))) {
            CliRun.Result invalid = cli.run("partner", "create", bad);
            assertThat(invalid.code()).as(bad).isEqualTo(1);
            assertThat(invalid.err()).contains("is not a partner id");
        }
        CliRun.Result badName = cli.run("partner", "create", "acme", "--display-name", "two\nlines");
        assertThat(badName.code()).isEqualTo(1);
        assertThat(badName.err()).contains("partner 'acme' not created", "/displayName: contains a line break");
        try (Stream<Path> files = Files.list(connectors)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("connector.schema.json", "demo.yaml", "fresh-foods.yaml");
        }
    }

    @Test
    void partnerCreateMakesTheConnectorsFolderOfANewProject() throws IOException {
        CliRun fresh = new CliRun(work, Map.of("JUNCTION_CONNECTORS_DIR", "new/connectors"));

        assertThat(fresh.run("partner", "create", "acme").code()).isZero();

        assertThat(work.resolve("new/connectors/acme.yaml")).exists();
        assertThat(fresh.run("validate").out()).isEqualTo("1 connector, 8 routes valid\n");
    }

    @Test
    void rotateWithoutAKeyIdNeedsOneCandidate() throws IOException {
        assertThat(cli.run("key", "add", "demo", "--id", "second").code()).isZero();

        CliRun.Result ambiguous = cli.run("key", "rotate", "demo");
        assertThat(ambiguous.code()).isEqualTo(1);
        assertThat(ambiguous.err()).contains("which key?", "sandbox", "second");

        assertThat(cli.run("key", "rotate", "demo", "sandbox", "--id", "third").code()).isZero();
        // sandbox now expires: the only live key without an expiry that is not the new one... is ambiguous again (second, third).
        assertThat(cli.run("key", "rotate", "demo").code()).isEqualTo(1);
        assertThat(cli.run("key", "revoke", "demo", "second").code()).isZero();
        CliRun.Result picked = cli.run("key", "rotate", "demo", "--overlap", "1h");
        assertThat(picked.code()).as(picked.err()).isZero();
        assertThat(picked.out()).contains("key 'third' works until " + CliRun.NOW.plus(Duration.ofHours(1)));
    }

    @Test
    void rotateNeverExtendsAnOldKeysLifeAndOverlapZeroEndsItNow() throws IOException {
        assertThat(cli.run("key", "add", "demo", "--id", "short", "--expires-at", "2026-11-30T13:00:00Z").code()).isZero();

        assertThat(cli.run("key", "rotate", "demo", "short").code()).isZero();
        assertThat(descriptor("demo").get("apiKeys").get(1).get("expiresAt").asText()).isEqualTo("2026-11-30T13:00:00Z");

        assertThat(cli.run("key", "rotate", "demo", "sandbox", "--overlap", "0").code()).isZero();
        assertThat(descriptor("demo").get("apiKeys").get(0).get("expiresAt").asText()).isEqualTo(CliRun.NOW.toString());
    }

    @Test
    void revokeKeepsThePartnersLastKeyUnlessToldAndTheFileAllowsIt() throws IOException {
        assertThat(cli.run("partner", "create", "acme", "--key-id", "only").code()).isZero();
        String acme = Files.readString(connectors.resolve("acme.yaml"));

        CliRun.Result last = cli.run("key", "revoke", "acme", "only");
        assertThat(last.code()).isEqualTo(1);
        assertThat(last.err()).contains("last key", "key rotate acme only --overlap 0");
        // A webhook-only partner needs a key: --last cannot make its file invalid either.
        CliRun.Result forced = cli.run("key", "revoke", "acme", "only", "--last");
        assertThat(forced.code()).isEqualTo(1);
        assertThat(forced.err()).contains("/apiKeys: must have at least 1 items");
        assertThat(Files.readString(connectors.resolve("acme.yaml"))).isEqualTo(acme);

        // The demo partner also runs a sync job, so its file stays valid without keys.
        assertThat(cli.run("key", "revoke", "demo", "sandbox").code()).isEqualTo(1);
        assertThat(cli.run("key", "revoke", "demo", "sandbox", "--last").code()).isZero();
        assertThat(Files.readString(connectors.resolve("demo.yaml"))).contains("apiKeys: []\n").doesNotContain("id: sandbox");
        assertValid("3 connectors, 8 routes valid");
    }

    @Test
    void anEditThatLeavesTheFileInvalidWritesNothing() throws IOException {
        Path demo = connectors.resolve("demo.yaml");
        String broken = Files.readString(demo).replace("route: demo-stock-changed", "route: gone");
        Files.writeString(demo, broken);

        CliRun.Result refused = cli.run("key", "add", "demo");

        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("key not added", ConnectorCheck.display(demo) + ": /events/stock-changed/route: route 'gone'");
        assertThat(refused.out()).doesNotContain(NewKey.PREFIX);
        assertThat(Files.readString(demo)).isEqualTo(broken);
        try (Stream<Path> files = Files.list(connectors)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    void keyCommandsRefuseUnknownPartnersKeysAndTakenIds() {
        assertThat(cli.run("key", "add", "nobody").err()).contains("no connector for partner 'nobody'");
        assertThat(cli.run("key", "revoke", "demo", "nope").err()).contains("no key 'nope'", "sandbox");
        assertThat(cli.run("key", "rotate", "demo", "nope").err()).contains("has no key 'nope'");
        assertThat(cli.run("key", "add", "demo", "--id", "sandbox").err()).contains("already has a key 'sandbox'");
        assertThat(cli.run("key", "add", "demo", "--id", "bad id").err()).contains("is not a key id");
        assertThat(cli.run("key", "add", "demo", "--expires-at", "2020-01-01T00:00:00Z").err()).contains("not in the future");
        for (String[] args : List.of(new String[] {"key", "add", "nobody"}, new String[] {"key", "revoke", "demo", "nope"})) {
            assertThat(cli.run(args).code()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"frobnicate", "validate --strict", "partner", "partner create", "key add", "key revoke demo",
            "key rotate demo --overlap soon", "key add demo --expires-at tomorrow", "partner create a b"})
    void aWrongCommandLineExits2WithUsage(String line) {
        CliRun.Result result = cli.run(line.split(" "));

        assertThat(result.code()).isEqualTo(2);
        assertThat(result.err()).containsAnyOf("Usage:", "Did you mean");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--help", "validate --help", "partner --help", "partner create --help", "key --help", "key add --help",
            "key rotate --help", "key revoke --help"})
    void everyCommandHasHelp(String line) {
        CliRun.Result result = cli.run(line.split(" "));

        assertThat(result.code()).isZero();
        assertThat(result.out()).contains("Usage: junction");
    }

    @Test
    void onlyACommandNameLeavesTheHubToStart() {
        assertThat(JunctionCli.isCommand(new String[] {})).isFalse();
        assertThat(JunctionCli.isCommand(new String[] {"--server.port=9090", "--debug"})).isFalse();
        assertThat(JunctionCli.isCommand(new String[] {"validate"})).isTrue();
        assertThat(JunctionCli.isCommand(new String[] {"--help"})).isTrue();
    }

    void assertValid(String summary) {
        CliRun.Result result = cli.run("validate");
        assertThat(result.out()).as(result.err()).isEqualTo(summary + "\n");
        assertThat(result.code()).isZero();
    }

    JsonNode descriptor(String partner) throws IOException {
        return new ObjectMapper(new YAMLFactory()).readTree(connectors.resolve(partner + ".yaml").toFile());
    }

    List<String> ids(String partner) throws IOException {
        return descriptor(partner).get("apiKeys").findValuesAsText("id");
    }

    List<String> hashes(String partner) throws IOException {
        return descriptor(partner).get("apiKeys").findValuesAsText("sha256");
    }

    /** Computed here, not with the CLI's code: the hash the hub's KeyIndex compares, hex SHA-256 of the key's UTF-8 bytes. */
    static String sha256Hex(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String firstLine(CliRun.Result result, Path file) {
        String prefix = ConnectorCheck.display(file) + ": not valid YAML: ";
        return result.outLines().stream().filter(l -> l.startsWith(prefix)).findFirst().map(l -> l.substring(prefix.length())).orElse("?");
    }
}
