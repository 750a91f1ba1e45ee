package dev.junction.partner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractStringAssert;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loads descriptors from a throw-away working directory. Every refusal must be one line: file, JSON pointer, problem.
 */
class ConnectorLoaderTest {

    /** SHA-256 of "test", the key DESIGN.md's example uses. */
    static final String KEY_HASH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    /** SHA-256 of "other". */
    static final String OTHER_KEY_HASH = "d9298a10d1b0735837dc4bd85dac641b0f3cef27a47e5d53a54f2f3f5b2fcffa";

    static final String ACME_ROUTES = """
            - route:
                id: acme-order-created
                from:
                  uri: direct:acme-order-created
                  steps:
                    - log:
                        message: "order ${header.Idempotency-Key}"
            - route:
                id: acme-order-cancelled
                from:
                  uri: direct:acme-order-cancelled
                  steps:
                    - log: "cancelled"
            - route:
                id: acme-ping
                from:
                  uri: direct:acme-ping
                  steps:
                    - log: "ping"
            - route:
                id: acme-tick
                from:
                  uri: timer:x
                  steps:
                    - log: "tick"
            - route:
                id: acme-misrouted
                from:
                  uri: direct:acme-elsewhere
                  steps:
                    - log: "misrouted"
            """;

    static final String ORDER_SCHEMA = """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "type": "object",
              "required": ["orderId"],
              "properties": { "orderId": { "type": "string" } }
            }
            """;

    /** The smallest valid descriptor: only the required fields. */
    static final String MINIMAL = """
            partner: acme
            apiKeys:
              - id: primary
                sha256: %s
            events:
              order-created:
                route: acme-order-created
            """.formatted(KEY_HASH);

    @TempDir
    Path work;

    Path connectors;
    Path routes;

    @BeforeEach
    void folders() throws IOException {
        connectors = Files.createDirectories(work.resolve("connectors"));
        routes = Files.createDirectories(work.resolve("routes"));
        write(routes.resolve("acme.yaml"), ACME_ROUTES);
    }

    // --- Valid descriptors ---

    @Test
    void designExampleLoadsAsWritten() {
        write(work.resolve("openapi/schemas/acme/order-created.json"), ORDER_SCHEMA);
        connector("acme.yaml", """
                partner: acme                      # must equal the file name; [a-z0-9][a-z0-9-]{1,62}
                displayName: ACME Retail
                apiKeys:                           # hex SHA-256 of each key; plaintext keys never live in files
                  - id: primary
                    sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
                    expiresAt: 2027-06-30T00:00:00Z          # optional
                rateLimit: { capacity: 100, refillPerSecond: 50 }   # token bucket
                maxBodyBytes: 262144                # optional, default 256 KiB
                retry: { maxAttempts: 8, initialDelay: 5s, multiplier: 4, maxDelay: 2h, jitter: 0.2 }
                delivery: { maxConcurrent: 8 }      # optional bulkhead per partner
                events:
                  order-created:
                    route: acme-order-created       # id of a route in routes/ that starts from a direct: endpoint
                    schema: openapi/schemas/acme/order-created.json   # optional JSON Schema of the payload
                    idempotencyKey: header:Idempotency-Key            # default; or jsonpath:$.id
                targets:
                  erp:
                    url: ${ACME_ERP_URL:http://localhost:9090}        # placeholders resolve from the environment
                    timeout: 5s
                    headers: { Authorization: "Bearer ${ACME_ERP_TOKEN}" }
                    circuitBreaker: { failureRateThreshold: 50, slidingWindowSize: 20, waitInOpenState: 30s }
                """);

        List<Partner> partners = load();

        assertThat(partners).singleElement().satisfies(acme -> {
            assertThat(acme.id()).isEqualTo("acme");
            assertThat(acme.displayName()).isEqualTo("ACME Retail");
            assertThat(acme.event("order-created")).hasValueSatisfying(e -> {
                assertThat(e.route()).isEqualTo("acme-order-created");
                assertThat(e.schema()).isPresent();
                assertThat(e.idempotencyKey()).isEqualTo(new IdempotencyKeySource.Header("Idempotency-Key"));
            });
            assertThat(acme.targets()).containsOnlyKeys("erp");
        });
    }

    @Test
    void fullDescriptorIsReadFieldByField() throws Exception {
        write(work.resolve("openapi/schemas/acme/order-created.json"), ORDER_SCHEMA);
        // Values differ from the defaults so that a value falling back to its default would show.
        connector("acme.yaml", """
                partner: acme
                displayName: ACME Retail
                apiKeys:
                  - id: primary
                    sha256: %s
                    expiresAt: 2027-06-30T00:00:00Z
                  - id: rotated.2026
                    sha256: %s
                rateLimit: { capacity: 250, refillPerSecond: 12.5 }
                maxBodyBytes: 65536
                retry: { maxAttempts: 6, initialDelay: 500ms, multiplier: 3, maxDelay: PT1H30M, jitter: 0.1 }
                delivery: { maxConcurrent: 3 }
                events:
                  order-created:
                    route: acme-order-created
                    schema: openapi/schemas/acme/order-created.json
                    idempotencyKey: header:X-Request-Id
                  order-cancelled:
                    route: acme-order-cancelled
                    idempotencyKey: jsonpath:$.order.id
                  ping:
                    route: acme-ping
                targets:
                  erp:
                    url: ${ACME_ERP_URL:http://localhost:9090}
                    timeout: 7s
                    headers: { Authorization: "Bearer ${ACME_ERP_TOKEN}", X-Tenant: acme }
                    circuitBreaker: { failureRateThreshold: 25.5, slidingWindowSize: 40, waitInOpenState: 1m }
                  crm:
                    url: http://crm.internal/api
                """.formatted(KEY_HASH, OTHER_KEY_HASH.toUpperCase()));

        Partner acme = load().get(0);

        assertThat(acme.id()).isEqualTo("acme");
        assertThat(acme.displayName()).isEqualTo("ACME Retail");
        assertThat(acme.apiKeys()).hasSize(2);
        Partner.ApiKey primary = acme.apiKeys().get(0);
        assertThat(primary.id()).isEqualTo("primary");
        assertThat(primary.sha256()).isEqualTo(HexFormat.of().parseHex(KEY_HASH));
        assertThat(primary.expiresAt()).isEqualTo(Instant.parse("2027-06-30T00:00:00Z"));
        Partner.ApiKey rotated = acme.apiKeys().get(1);
        assertThat(rotated.id()).isEqualTo("rotated.2026");
        assertThat(rotated.sha256()).as("upper-case hex is the same hash").isEqualTo(HexFormat.of().parseHex(OTHER_KEY_HASH));
        assertThat(rotated.expiresAt()).isNull();

        assertThat(acme.rateLimit()).isEqualTo(new Partner.RateLimit(250, 12.5));
        assertThat(acme.maxBodyBytes()).isEqualTo(65536);
        assertThat(acme.retry()).isEqualTo(new Partner.RetryPolicy(6, Duration.ofMillis(500), 3, Duration.ofMinutes(90), 0.1));
        assertThat(acme.delivery()).isEqualTo(new Partner.DeliveryPolicy(3));

        assertThat(acme.events()).containsOnlyKeys("order-created", "order-cancelled", "ping");
        PartnerEvent created = acme.event("order-created").orElseThrow();
        assertThat(created.name()).isEqualTo("order-created");
        assertThat(created.route()).isEqualTo("acme-order-created");
        assertThat(created.idempotencyKey()).isEqualTo(new IdempotencyKeySource.Header("X-Request-Id"));
        JsonSchema schema = created.schema().orElseThrow();
        ObjectMapper json = new ObjectMapper();
        assertThat(schema.validate(json.readTree("{\"orderId\":\"A-1\"}"))).as("the named schema file is the one compiled").isEmpty();
        assertThat(schema.validate(json.readTree("{\"orderId\":1}"))).isNotEmpty();

        PartnerEvent cancelled = acme.event("order-cancelled").orElseThrow();
        assertThat(cancelled.schema()).isEmpty();
        assertThat(cancelled.idempotencyKey()).isInstanceOfSatisfying(IdempotencyKeySource.Json.class, key -> {
            assertThat(key.expression()).isEqualTo("$.order.id");
            assertThat((String) key.path().read("{\"order\":{\"id\":\"o-7\"}}")).isEqualTo("o-7");
        });
        assertThat(acme.event("ping").orElseThrow().idempotencyKey()).isEqualTo(IdempotencyKeySource.DEFAULT);

        Partner.Target erp = acme.targets().get("erp");
        assertThat(erp.name()).isEqualTo("erp");
        assertThat(erp.url()).as("placeholders are kept for call time").isEqualTo("${ACME_ERP_URL:http://localhost:9090}");
        assertThat(erp.timeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(erp.headers()).containsExactlyInAnyOrderEntriesOf(
                Map.of("Authorization", "Bearer ${ACME_ERP_TOKEN}", "X-Tenant", "acme"));
        assertThat(erp.circuitBreaker()).isEqualTo(new Partner.CircuitBreakerSpec(25.5f, 40, Duration.ofMinutes(1)));
    }

    @Test
    void omittedFieldsTakeTheDocumentedDefaults() {
        connector("acme.yaml", MINIMAL);

        Partner acme = load().get(0);

        assertThat(acme.displayName()).as("displayName defaults to the id").isEqualTo("acme");
        assertThat(acme.rateLimit()).isEqualTo(new Partner.RateLimit(100, 50));
        assertThat(acme.maxBodyBytes()).isEqualTo(262_144);
        assertThat(acme.retry()).isEqualTo(new Partner.RetryPolicy(8, Duration.ofSeconds(5), 4, Duration.ofHours(2), 0.2));
        assertThat(acme.delivery().maxConcurrent()).isEqualTo(8);
        assertThat(acme.targets()).isEmpty();
        PartnerEvent created = acme.event("order-created").orElseThrow();
        assertThat(created.schema()).isEmpty();
        assertThat(created.idempotencyKey()).isEqualTo(new IdempotencyKeySource.Header("Idempotency-Key"));
        assertThat(acme.apiKeys().get(0).expiresAt()).isNull();
    }

    @Test
    void partlyGivenRetryKeepsDefaultsForTheRest() {
        connector("acme.yaml", MINIMAL + "retry: { maxAttempts: 3 }\n");

        assertThat(load().get(0).retry())
                .isEqualTo(new Partner.RetryPolicy(3, Duration.ofSeconds(5), 4, Duration.ofHours(2), 0.2));
    }

    @Test
    void targetWithOnlyAUrlGetsDefaultTimeoutAndBreaker() {
        connector("acme.yaml", MINIMAL + """
                targets:
                  erp:
                    url: http://erp.local
                """);

        Partner.Target erp = load().get(0).targets().get("erp");

        assertThat(erp.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(erp.headers()).isEmpty();
        assertThat(erp.circuitBreaker()).isEqualTo(new Partner.CircuitBreakerSpec(50, 20, Duration.ofSeconds(30)));
    }

    @Test
    void expiresAtWithAnOffsetIsConvertedToUtc() {
        connector("acme.yaml", MINIMAL.replace(KEY_HASH, KEY_HASH + "\n    expiresAt: 2027-06-30T02:00:00+02:00"));

        assertThat(load().get(0).apiKeys().get(0).expiresAt()).isEqualTo(Instant.parse("2027-06-30T00:00:00Z"));
    }

    @Test
    void everyYamlFileIsOnePartnerInFileNameOrder() {
        connector("zeta.yml", MINIMAL.replace("partner: acme", "partner: zeta").replace(KEY_HASH, OTHER_KEY_HASH));
        connector("acme.yaml", MINIMAL);
        write(connectors.resolve("notes.txt"), "not a descriptor");

        assertThat(load()).extracting(Partner::id).containsExactly("acme", "zeta");
    }

    @Test
    void emptyConnectorsFolderLoadsNoPartner() {
        assertThat(load()).isEmpty();
    }

    @Test
    void routeMayStartFromDirectWithSlashesAndOptions() {
        write(routes.resolve("acme.yaml"), """
                - route:
                    id: acme-order-created
                    from:
                      uri: direct://acme-order-created?timeout=5000
                      steps:
                        - log: "x"
                """);
        connector("acme.yaml", MINIMAL);

        assertThat(load()).hasSize(1);
    }

    // --- Refused by connector.schema.json ---

    @Test
    void wrongType() {
        Path file = connector("acme.yaml", MINIMAL + "rateLimit: { capacity: lots, refillPerSecond: 50 }\n");

        assertRefused(file, "/rateLimit/capacity", "string found, integer expected");
    }

    @Test
    void unknownTopLevelField() {
        Path file = connector("acme.yaml", MINIMAL + "colour: red\n");

        assertRefused(file, "/colour", "property 'colour' is not defined in the schema");
    }

    @Test
    void unknownNestedField() {
        Path file = connector("acme.yaml", MINIMAL + "retry: { maxAttempts: 3, foo: 1 }\n");

        assertRefused(file, "/retry/foo", "property 'foo' is not defined in the schema");
    }

    @Test
    void unknownFieldInAnEvent() {
        Path file = connector("acme.yaml", MINIMAL + "    schemaa: x.json\n");

        assertRefused(file, "/events/order-created/schemaa", "property 'schemaa' is not defined in the schema");
    }

    @Test
    void missingApiKeys() {
        Path file = connector("acme.yaml", """
                partner: acme
                events:
                  order-created:
                    route: acme-order-created
                """);

        assertRefused(file, "/apiKeys", "required property 'apiKeys' not found");
    }

    @Test
    void emptyApiKeys() {
        Path file = connector("acme.yaml", MINIMAL.replaceFirst("(?s)apiKeys:.*?(?=events:)", "apiKeys: []\n"));

        assertRefused(file, "/apiKeys", "must have at least 1 items");
    }

    @Test
    void sha256ShorterThan64HexChars() {
        Path file = connector("acme.yaml", MINIMAL.replace(KEY_HASH, KEY_HASH.substring(1)));

        assertRefused(file, "/apiKeys/0/sha256", "does not match the regex pattern ^[0-9a-fA-F]{64}$");
    }

    @Test
    void sha256WithNonHexChars() {
        Path file = connector("acme.yaml", MINIMAL.replace(KEY_HASH, "z" + KEY_HASH.substring(1)));

        assertRefused(file, "/apiKeys/0/sha256", "does not match the regex pattern ^[0-9a-fA-F]{64}$");
    }

    @Test
    void partnerIdOutsideThePattern() {
        Path file = connector("Acme.yaml", MINIMAL.replace("partner: acme", "partner: Acme"));

        assertRefused(file, "/partner", "does not match the regex pattern ^[a-z0-9][a-z0-9-]{1,62}$");
    }

    @Test
    void durationThatIsNotADuration() {
        Path file = connector("acme.yaml", MINIMAL + "retry: { initialDelay: 5 parsecs }\n");

        assertRefused(file, "/retry/initialDelay", "does not match the regex pattern");
    }

    @Test
    void idempotencyKeyThatIsNeitherHeaderNorJsonPath() {
        Path file = connector("acme.yaml", MINIMAL + "    idempotencyKey: query:id\n");

        assertRefused(file, "/events/order-created/idempotencyKey", "does not match the regex pattern");
    }

    @Test
    void eventNameOutsideThePattern() {
        Path file = connector("acme.yaml", MINIMAL.replace("order-created:", "Order_Created:"));

        assertRefused(file, "/events", "property 'Order_Created' name is not valid");
    }

    @Test
    void rootThatIsNotAMapping() {
        Path file = connector("acme.yaml", "- partner: acme\n");

        assertRefused(file, "/", "array found, object expected");
    }

    // --- Refused by checks beyond the schema ---

    @Test
    void partnerNotEqualToFileName() {
        Path file = connector("other.yaml", MINIMAL);

        assertRefused(file, "/partner", "'acme' must equal the file name 'other'");
    }

    @Test
    void expiresAtThatIsNotAnInstant() {
        Path file = connector("acme.yaml", MINIMAL.replace(KEY_HASH, KEY_HASH + "\n    expiresAt: next tuesday"));

        assertRefused(file, "/apiKeys/0/expiresAt", "'next tuesday' is not an ISO-8601 instant");
    }

    @Test
    void expiresAtOnADayThatDoesNotExist() {
        Path file = connector("acme.yaml", MINIMAL.replace(KEY_HASH, KEY_HASH + "\n    expiresAt: 2027-06-31T00:00:00Z"));

        assertRefused(file, "/apiKeys/0/expiresAt", "'2027-06-31T00:00:00Z' is not an ISO-8601 instant");
    }

    @Test
    void durationTooLargeForTheShortForm() {
        // Passes the schema's pattern, then fails parsing; it must still be an InvalidConnectorException.
        Path file = connector("acme.yaml", MINIMAL + "retry: { maxDelay: 99999999999999999999h }\n");

        assertRefused(file, "/retry/maxDelay", "'99999999999999999999h' is not a duration");
    }

    @Test
    void iso8601DurationInYears() {
        Path file = connector("acme.yaml", MINIMAL + "retry: { initialDelay: P1Y }\n");

        assertRefused(file, "/retry/initialDelay", "'P1Y' is not a duration");
    }

    @Test
    void badDurationsInTargetsNameTheirField() {
        Path file = connector("acme.yaml", MINIMAL + """
                targets:
                  erp:
                    url: http://erp.local
                    circuitBreaker: { waitInOpenState: P2Y }
                """);

        assertRefused(file, "/targets/erp/circuitBreaker/waitInOpenState", "'P2Y' is not a duration");
    }

    @Test
    void eventNamingARouteThatDoesNotExist() {
        Path file = connector("acme.yaml", MINIMAL.replace("route: acme-order-created", "route: acme-nope"));

        assertRefused(file, "/events/order-created/route", "route 'acme-nope' is not declared in any file of the routes folder");
    }

    @Test
    void routeThatStartsFromATimer() {
        Path file = connector("acme.yaml", MINIMAL.replace("route: acme-order-created", "route: acme-tick"));

        assertRefused(file, "/events/order-created/route",
                "route 'acme-tick' must start from direct:acme-tick (it starts from 'timer:x')");
    }

    @Test
    void routeThatStartsFromAnotherDirectEndpoint() {
        Path file = connector("acme.yaml", MINIMAL.replace("route: acme-order-created", "route: acme-misrouted"));

        assertRefused(file, "/events/order-created/route",
                "route 'acme-misrouted' must start from direct:acme-misrouted (it starts from 'direct:acme-elsewhere')");
    }

    @Test
    void schemaFileMissing() {
        Path file = connector("acme.yaml", MINIMAL + "    schema: openapi/schemas/acme/none.json\n");

        assertRefused(file, "/events/order-created/schema",
                "schema file " + work.resolve("openapi/schemas/acme/none.json") + " does not exist");
    }

    @Test
    void schemaFileThatIsNotJson() {
        write(work.resolve("schemas/broken.json"), "{ \"type\": \"object\", ");
        Path file = connector("acme.yaml", MINIMAL + "    schema: schemas/broken.json\n");

        assertRefused(file, "/events/order-created/schema",
                "schema file " + work.resolve("schemas/broken.json") + " is not valid JSON");
    }

    @Test
    void schemaWithAReferenceThatCannotBeResolved() {
        write(work.resolve("schemas/dangling.json"), "{ \"$ref\": \"#/$defs/nope\" }");
        Path file = connector("acme.yaml", MINIMAL + "    schema: schemas/dangling.json\n");

        assertRefused(file, "/events/order-created/schema", "is not a valid JSON Schema");
    }

    @Test
    void jsonPathThatDoesNotCompile() {
        Path file = connector("acme.yaml", MINIMAL + "    idempotencyKey: \"jsonpath:$['id\"\n");

        assertRefused(file, "/events/order-created/idempotencyKey", "Property has not been closed");
    }

    @Test
    void jsonPathThatMayMatchSeveralValues() {
        Path file = connector("acme.yaml", MINIMAL + "    idempotencyKey: jsonpath:$..id\n");

        assertRefused(file, "/events/order-created/idempotencyKey", "'$..id' may match several values");
    }

    @Test
    void twoPartnersSharingAKeyHash() {
        connector("acme.yaml", MINIMAL);
        // Same hash in upper case: still the same key.
        Path beta = connector("beta.yaml", MINIMAL.replace("partner: acme", "partner: beta")
                .replace("id: primary", "id: main").replace(KEY_HASH, KEY_HASH.toUpperCase()));

        assertRefused(beta, "/apiKeys", "key 'main' has the same hash as acme/primary");
    }

    @Test
    void invalidYamlSyntax() {
        Path file = connector("acme.yaml", "partner: acme\n  apiKeys: [\n");

        assertOneLine(loadFails()).isEqualTo(shown(file) + ": not valid YAML: mapping values are not allowed here");
    }

    @Test
    void emptyFile() {
        Path file = connector("acme.yaml", "");

        assertOneLine(loadFails()).isEqualTo(shown(file) + ": file is empty");
    }

    @Test
    void fileWithOnlyComments() {
        Path file = connector("acme.yaml", "# partner: acme\n");

        assertOneLine(loadFails()).isEqualTo(shown(file) + ": file is empty");
    }

    @Test
    void firstInvalidFileStopsLoading() {
        connector("acme.yaml", MINIMAL + "colour: red\n");
        connector("beta.yaml", MINIMAL.replace("partner: acme", "partner: beta") + "size: xl\n");

        assertOneLine(loadFails()).startsWith(shown(connectors.resolve("acme.yaml")) + ": /colour: ");
    }

    // --- Folders ---

    @Test
    void missingConnectorsFolder() {
        Path missing = work.resolve("no-such-connectors");

        InvalidConnectorException e = assertThrows(InvalidConnectorException.class,
                () -> new ConnectorLoader(work).load(missing, routes));

        assertOneLine(e).isEqualTo("Connectors folder " + missing
                + " does not exist (set JUNCTION_CONNECTORS_DIR or junction.connectors-dir)");
    }

    @Test
    void missingRoutesFolder() {
        connector("acme.yaml", MINIMAL);
        Path missing = work.resolve("no-such-routes");

        InvalidConnectorException e = assertThrows(InvalidConnectorException.class,
                () -> new ConnectorLoader(work).load(connectors, missing));

        assertOneLine(e).isEqualTo("Routes folder " + missing + " does not exist (set JUNCTION_ROUTES_DIR or junction.routes-dir)");
    }

    @Test
    void connectorsPathThatIsAFile() {
        Path notAFolder = write(work.resolve("connectors.yaml"), MINIMAL);

        InvalidConnectorException e = assertThrows(InvalidConnectorException.class,
                () -> new ConnectorLoader(work).load(notAFolder, routes));

        assertOneLine(e).startsWith("Connectors folder " + notAFolder + " does not exist");
    }

    // --- Route files ---

    @Test
    void sameRouteIdInTwoFiles() {
        Path second = write(routes.resolve("more.yaml"), """
                - route:
                    id: acme-order-created
                    from:
                      uri: direct:acme-order-created
                      steps:
                        - log: "again"
                """);
        connector("acme.yaml", MINIMAL);

        assertRefused(second, "/0/route/id", "route id 'acme-order-created' is declared twice (first at ");
    }

    @Test
    void routeWithoutId() {
        Path file = write(routes.resolve("more.yaml"), """
                - route:
                    from:
                      uri: direct:anonymous
                      steps:
                        - log: "x"
                """);
        connector("acme.yaml", MINIMAL);

        assertRefused(file, "/0/route/id", "every route needs an id");
    }

    @Test
    void routeFileWithInvalidYaml() {
        Path file = write(routes.resolve("more.yaml"), "- route: [\n");
        connector("acme.yaml", MINIMAL);

        assertOneLine(loadFails()).startsWith(shown(file) + ": not valid YAML: ");
    }

    @Test
    void routeFileThatIsNotAList() {
        Path file = write(routes.resolve("more.yaml"), "route: { id: x }\n");
        connector("acme.yaml", MINIMAL);

        assertOneLine(loadFails()).isEqualTo(shown(file) + ": a Camel YAML route file is a list of elements");
    }

    @Test
    void emptyRouteFileIsIgnored() {
        write(routes.resolve("empty.yaml"), "");
        connector("acme.yaml", MINIMAL);

        assertThat(load()).hasSize(1);
    }

    // --- Values that pass a schema pattern but cannot work, and nested documents that are themselves invalid.
    // Any wording of the problem will do; these pin only the exception type, the file, the pointer and the single line.

    @Test
    void sha256WithTrailingNewlineIsRefusedAsInvalidConnector() {
        Path file = connector("acme.yaml", MINIMAL.replace("sha256: " + KEY_HASH, "sha256: |\n      " + KEY_HASH));

        assertRefused(file, "/apiKeys/0/sha256", "");
    }

    @Test
    void partnerWithTrailingNewlineIsRefusedOnOneLine() {
        Path file = connector("acme.yaml", MINIMAL.replace("partner: acme", "partner: \"acme\\n\""));

        assertRefused(file, "/partner", "");
    }

    @Test
    void headerNameWithTrailingNewlineIsRefused() {
        Path file = connector("acme.yaml", MINIMAL + "    idempotencyKey: \"header:Idempotency-Key\\n\"\n");

        assertRefused(file, "/events/order-created/idempotencyKey", "");
    }

    @Test
    void jsonPathErrorNamesTheExpression() {
        Path file = connector("acme.yaml", MINIMAL + "    idempotencyKey: jsonpath:$.[\n");

        assertRefused(file, "/events/order-created/idempotencyKey", "$.[");
    }

    @Test
    void payloadSchemaThatIsNotAValidSchemaIsRefused() {
        write(work.resolve("schemas/bad-type.json"), "{ \"type\": 5 }");
        Path file = connector("acme.yaml", MINIMAL + "    schema: schemas/bad-type.json\n");

        assertRefused(file, "/events/order-created/schema", "is not a valid JSON Schema");
    }

    @Test
    void duplicateEventIsRefused() {
        Path file = connector("acme.yaml", MINIMAL + """
                  order-created:
                    route: acme-ping
                """);

        assertThat(assertThrows(InvalidConnectorException.class, this::load).getMessage())
                .startsWith(shown(file) + ": ")
                .containsIgnoringCase("duplicate")
                .doesNotContain("\n");
    }

    // --- The agent section of an ERP vendor (ERP-AGENTS.md) ---

    static final String VENDOR = """
            partner: fresh
            apiKeys: []
            agent:
              vendorId: 971a1d7b-8cd4-41d9-925f-f658deb6efa5
              tokens:
                - id: agent-2026
                  sha256: %s
                  expiresAt: 2027-06-30T00:00:00Z
            events: {}
            """.formatted(OTHER_KEY_HASH);

    @Test
    void aVendorNeedsNeitherApiKeysNorEventsAndGetsTheDocumentedDefaults() {
        connector("fresh.yaml", VENDOR);

        Partner fresh = load().get(0);

        assertThat(fresh.apiKeys()).isEmpty();
        assertThat(fresh.events()).isEmpty();
        Partner.Agent agent = fresh.agent();
        assertThat(agent.vendorId()).isEqualTo("971a1d7b-8cd4-41d9-925f-f658deb6efa5");
        assertThat(agent.tokens()).singleElement().satisfies(t -> {
            assertThat(t.id()).isEqualTo("agent-2026");
            assertThat(t.sha256()).isEqualTo(HexFormat.of().parseHex(OTHER_KEY_HASH));
            assertThat(t.expiresAt()).isEqualTo(Instant.parse("2027-06-30T00:00:00Z"));
        });
        assertThat(agent.heartbeat()).isEqualTo(new Partner.Heartbeat(Duration.ofMinutes(2), Duration.ofMinutes(10)));
        assertThat(agent.callbackTimeout()).isEqualTo(Duration.ofMinutes(15));
        assertThat(agent.secret()).isNull();
        assertThat(agent.reconcileEvery()).isEqualTo(Duration.ofHours(1));
        assertThat(agent.maxBucket()).isEqualTo(100);
    }

    @Test
    void everyAgentSettingIsRead() {
        connector("fresh.yaml", VENDOR.replace("events: {}", """
                  heartbeat: { degradedAfter: 30s, offlineAfter: 5m }
                  orders: { callbackTimeout: 20m, secret: "${FRESH_AGENT_SECRET}" }
                  reconciliation: { every: 30m, maxBucket: 50 }
                events: {}"""));

        Partner.Agent agent = load().get(0).agent();

        assertThat(agent.heartbeat()).isEqualTo(new Partner.Heartbeat(Duration.ofSeconds(30), Duration.ofMinutes(5)));
        assertThat(agent.callbackTimeout()).isEqualTo(Duration.ofMinutes(20));
        assertThat(agent.secret()).isEqualTo("${FRESH_AGENT_SECRET}");
        assertThat(agent.reconcileEvery()).isEqualTo(Duration.ofMinutes(30));
        assertThat(agent.maxBucket()).isEqualTo(50);
    }

    @Test
    void eventsAreRequiredButMayBeEmptyAsANewPartnerStarts() {
        connector("acme.yaml", MINIMAL.replaceFirst("(?s)events:.*", "events: {}\n"));
        assertThat(load().get(0).events()).isEmpty();

        Path file = connector("acme.yaml", MINIMAL.replaceFirst("(?s)events:.*", ""));
        assertRefused(file, "/events", "");
    }

    @Test
    void anAgentNeedsATokenAndAVendorId() {
        Path file = connector("fresh.yaml", VENDOR.replaceFirst("(?s)  tokens:.*?(?=events:)", "  tokens: []\n"));
        assertRefused(file, "/agent/tokens", "");

        connector("fresh.yaml", VENDOR.replaceFirst("  vendorId: .*\n", ""));
        assertRefused(file, "/agent/vendorId", "");
    }

    @Test
    void anOrdersSecretMustBeAnEnvironmentPlaceholderNeverTheSecretItself() {
        Path file = connector("fresh.yaml", VENDOR.replace("events: {}", "  orders: { secret: s3cr3t-in-a-file }\nevents: {}"));

        assertRefused(file, "/agent/orders/secret", "");
    }

    @Test
    void offlineAfterMustBeLongerThanDegradedAfter() {
        Path file = connector("fresh.yaml", VENDOR.replace("events: {}", "  heartbeat: { degradedAfter: 10m, offlineAfter: 2m }\nevents: {}"));

        assertRefused(file, "/agent/heartbeat/offlineAfter", "longer than degradedAfter");
    }

    @Test
    void anExpiryThatIsNotAnInstantIsRefusedAtItsToken() {
        Path file = connector("fresh.yaml", VENDOR.replace("2027-06-30T00:00:00Z", "next-june"));

        assertRefused(file, "/agent/tokens/0/expiresAt", "");
    }

    @Test
    void anAgentTokenMayNotShareAHashWithAnyPartnerKey() {
        connector("acme.yaml", MINIMAL);
        Path file = connector("fresh.yaml", VENDOR.replace(OTHER_KEY_HASH, KEY_HASH));

        assertRefused(file, "/agent/tokens", "same hash as acme/primary");
    }

    @Test
    void twoVendorsMayNotShareAVendorId() {
        connector("fresh.yaml", VENDOR);
        Path file = connector("frozen.yaml", VENDOR.replace("partner: fresh", "partner: frozen").replace(OTHER_KEY_HASH, KEY_HASH));

        assertRefused(file, "/agent/vendorId", "already the vendorId of fresh");
    }

    // --- helpers ---

    List<Partner> load() {
        return new ConnectorLoader(work).load(connectors, routes);
    }

    InvalidConnectorException loadFails() {
        return assertThrows(InvalidConnectorException.class, this::load);
    }

    Path connector(String fileName, String yaml) {
        return write(connectors.resolve(fileName), yaml);
    }

    static Path write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            return Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How a file outside the working directory is named in messages: its absolute path. */
    static String shown(Path file) {
        return file.toAbsolutePath().normalize().toString();
    }

    void assertRefused(Path file, String pointer, String problem) {
        assertOneLine(loadFails())
                .startsWith(shown(file) + ": " + pointer + ": ")
                .contains(problem);
    }

    static AbstractStringAssert<?> assertOneLine(InvalidConnectorException e) {
        return assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\r");
    }
}
