package dev.junction.partner;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.jayway.jsonpath.InvalidPathException;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.SpecVersionDetector;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Reads {@code connectors/*.yaml}, checks each against {@code connector.schema.json} and the routes folder,
 * and builds the {@link Partner}s. The first problem stops loading with one line: file, field, problem;
 * {@link #check} (the CLI's validate) goes on and reports every file's problems instead.
 */
final class ConnectorLoader {

    static final SchemaValidatorsConfig POINTER_PATHS = SchemaValidatorsConfig.builder().pathType(PathType.JSON_POINTER).build();

    private static final java.util.regex.Pattern SQL_QUERY = java.util.regex.Pattern.compile("/syncJobs/[^/]+/source/sql/query");

    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private final JsonSchema descriptorSchema;
    private final Path workDir;

    ConnectorLoader(Path workDir) {
        this.workDir = workDir;
        try (InputStream in = ConnectorLoader.class.getResourceAsStream("connector.schema.json")) {
            descriptorSchema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                    .getSchema(in, POINTER_PATHS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<Partner> load(Path connectorsDir, Path routesDir) {
        if (!Files.isDirectory(connectorsDir)) {
            throw new InvalidConnectorException("Connectors folder " + connectorsDir
                    + " does not exist (set JUNCTION_CONNECTORS_DIR or junction.connectors-dir)");
        }
        RouteCatalog routes = RouteCatalog.scan(routesDir, yaml);
        Map<String, String> keyOwners = new LinkedHashMap<>();
        Map<String, String> vendorIds = new LinkedHashMap<>();
        List<Partner> partners = new ArrayList<>();
        for (Path file : RouteCatalog.yamlFiles(connectorsDir)) {
            Partner partner = loadOne(file, routes);
            unique(file, partner, keyOwners, vendorIds);
            partners.add(partner);
        }
        return List.copyOf(partners);
    }

    /**
     * For {@code validate}: every file checked on its own and every problem found kept as a line (file: field: problem),
     * where startup stops at the first. {@code drafts} stand in for files (by path) that an edit has not written yet.
     */
    ConnectorCheck.Report check(Path connectorsDir, Path routesDir, Map<Path, String> drafts) {
        List<String> problems = new ArrayList<>();
        RouteCatalog routes = null;
        try {
            // Every route problem (RouteCheck's included); the routes that could be read still serve the connectors' checks.
            routes = RouteCatalog.scan(routesDir, yaml, problems::add);
        } catch (InvalidConnectorException e) {
            problems.add(e.getMessage());
        }
        Set<Path> files = new TreeSet<>(drafts.keySet());
        if (Files.isDirectory(connectorsDir)) {
            files.addAll(RouteCatalog.yamlFiles(connectorsDir));
        } else {
            problems.add("Connectors folder " + connectorsDir + " does not exist (set JUNCTION_CONNECTORS_DIR or --connectors-dir)");
        }
        Map<String, String> keyOwners = new LinkedHashMap<>();
        Map<String, String> vendorIds = new LinkedHashMap<>();
        for (Path file : files) {
            Partner partner = checkOne(file, drafts.get(file), routes, problems);
            if (partner == null) {
                continue;
            }
            try {
                unique(file, partner, keyOwners, vendorIds);
            } catch (InvalidConnectorException e) {
                problems.add(e.getMessage());
            }
        }
        return new ConnectorCheck.Report(List.copyOf(problems), files.size(), routes == null ? 0 : countRoutes(routesDir));
    }

    /** The file's partner, or null with its problems added: all schema violations, else one per section. */
    private Partner checkOne(Path file, String draft, RouteCatalog routes, List<String> problems) {
        String name = display(file);
        try {
            JsonNode root = draft == null ? parse(file, name) : parse(draft, name);
            String control = firstControlCharacter(root, "");
            if (control != null) {
                throw InvalidConnectorException.at(name, control, "contains a line break or another control character");
            }
            Set<String> violations = new TreeSet<>();
            descriptorSchema.validate(root).forEach(v -> violations.add(InvalidConnectorException.at(name, pointer(v), v.getError()).getMessage()));
            if (!violations.isEmpty()) {
                problems.addAll(violations);
                return null;
            }
            return new DescriptorReader(name, root, routes).readReporting(file, problems);
        } catch (InvalidConnectorException e) {
            problems.add(e.getMessage());
            return null;
        }
    }

    /** Route elements in the routes folder; only called once RouteCatalog has read every file without a problem. */
    private int countRoutes(Path routesDir) {
        int n = 0;
        for (Path file : RouteCatalog.yamlFiles(routesDir)) {
            try {
                JsonNode root = yaml.readTree(file.toFile());
                for (int i = 0; root != null && i < root.size(); i++) {
                    n += root.get(i).has("route") ? 1 : 0;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return n;
    }

    /** What no single file can check: a key, a token and a vendor id each belong to one partner. */
    private static void unique(Path file, Partner partner, Map<String, String> keyOwners, Map<String, String> vendorIds) {
        uniqueKeys(display(file), "/apiKeys", partner.id(), partner.apiKeys(), keyOwners);
        if (partner.agent() != null) {
            uniqueKeys(display(file), "/agent/tokens", partner.id(), partner.agent().tokens(), keyOwners);
            String vendor = vendorIds.putIfAbsent(partner.agent().vendorId(), partner.id());
            if (vendor != null) {
                throw InvalidConnectorException.at(display(file), "/agent/vendorId", "'" + partner.agent().vendorId()
                        + "' is already the vendorId of " + vendor + "; mapping exports name one vendor by it");
            }
        }
    }

    /** A key or token must identify one caller: its hash may appear once across every descriptor. */
    private static void uniqueKeys(String file, String at, String partner, List<Partner.ApiKey> keys, Map<String, String> owners) {
        for (Partner.ApiKey key : keys) {
            String owner = owners.putIfAbsent(HexFormat.of().formatHex(key.sha256()), partner + "/" + key.id());
            if (owner != null) {
                throw InvalidConnectorException.at(file, at, "key '" + key.id()
                        + "' has the same hash as " + owner + "; a key must identify one partner");
            }
        }
    }

    Partner loadOne(Path file, RouteCatalog routes) {
        String name = display(file);
        JsonNode root = parse(file, name);
        String control = firstControlCharacter(root, "");
        if (control != null) {
            // Schema patterns match with Java's $, which accepts a trailing line break; no descriptor value needs one.
            throw InvalidConnectorException.at(name, control, "contains a line break or another control character");
        }
        Set<ValidationMessage> violations = descriptorSchema.validate(root);
        if (!violations.isEmpty()) {
            ValidationMessage first = violations.stream()
                    .min((a, b) -> a.getInstanceLocation().toString().compareTo(b.getInstanceLocation().toString()))
                    .orElseThrow();
            throw InvalidConnectorException.at(name, pointer(first), first.getError());
        }
        return new DescriptorReader(name, root, routes).read(file);
    }

    private JsonNode parse(Path file, String name) {
        try {
            return notEmpty(yaml.readTree(file.toFile()), name);
        } catch (IOException e) {
            throw InvalidConnectorException.at(name, "", "not valid YAML: " + RouteCatalog.firstLine(e.getMessage()));
        }
    }

    private JsonNode parse(String draft, String name) {
        try {
            return notEmpty(yaml.readTree(draft), name);
        } catch (IOException e) {
            throw InvalidConnectorException.at(name, "", "not valid YAML: " + RouteCatalog.firstLine(e.getMessage()));
        }
    }

    private static JsonNode notEmpty(JsonNode root, String name) {
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw InvalidConnectorException.at(name, "", "file is empty");
        }
        return root;
    }

    /**
     * The pointer of the first text (value or key) holding a control character, or null. A sync job's SQL query may
     * span lines (tabs, CR and LF), as SQL is written; no other control character is allowed there either.
     */
    static String firstControlCharacter(JsonNode node, String at) {
        if (node.isTextual()) {
            boolean multiLine = SQL_QUERY.matcher(at).matches();
            return node.asText().chars().anyMatch(c -> (c < 0x20 || c == 0x7F) && !(multiLine && (c == '\n' || c == '\r' || c == '\t')))
                    ? (at.isEmpty() ? "/" : at) : null;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String child = at + "/" + e.getKey();
            if (e.getKey().chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
                return at.isEmpty() ? "/" : at;
            }
            String found = firstControlCharacter(e.getValue(), child);
            if (found != null) {
                return found;
            }
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String found = firstControlCharacter(node.get(i), at + "/" + i);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static String pointer(ValidationMessage m) {
        String at = m.getInstanceLocation().toString();
        // additionalProperties and required name the property, which is the field the integrator has to fix.
        if (m.getProperty() != null && ("additionalProperties".equals(m.getType()) || "required".equals(m.getType()))) {
            at = (at.equals("/") || at.isEmpty() ? "" : at) + "/" + m.getProperty();
        }
        return at.isEmpty() ? "/" : at;
    }

    static String display(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        Path cwd = Path.of("").toAbsolutePath();
        return abs.startsWith(cwd) ? cwd.relativize(abs).toString() : abs.toString();
    }

    /** Turns a schema-valid descriptor tree into a Partner, checking what a schema cannot. */
    private final class DescriptorReader {
        private final String file;
        private final JsonNode root;
        private final RouteCatalog routes;

        DescriptorReader(String file, JsonNode root, RouteCatalog routes) {
            this.file = file;
            this.root = root;
            this.routes = routes;
        }

        /** Like {@link #read}, each section checked on its own, so that validate reports one problem per section. */
        Partner readReporting(Path path, List<String> problems) {
            int before = problems.size();
            List<Supplier<?>> sections = List.of(() -> id(path), this::apiKeys, this::rateLimit, this::retry, this::events,
                    this::targets, this::agent, this::syncJobs);
            for (Supplier<?> section : sections) {
                try {
                    section.get();
                } catch (InvalidConnectorException e) {
                    problems.add(e.getMessage());
                }
            }
            return problems.size() == before ? read(path) : null;
        }

        private String id(Path path) {
            String id = root.get("partner").asText();
            String expected = path.getFileName().toString().replaceFirst("\\.ya?ml$", "");
            if (!id.equals(expected)) {
                throw InvalidConnectorException.at(file, "/partner", "'" + id + "' must equal the file name '" + expected + "'");
            }
            return id;
        }

        Partner read(Path path) {
            String id = id(path);
            return new Partner(id,
                    root.path("displayName").asText(id),
                    apiKeys(),
                    rateLimit(),
                    root.path("maxBodyBytes").asInt(Partner.DEFAULT_MAX_BODY_BYTES),
                    retry(),
                    new Partner.DeliveryPolicy(root.path("delivery").path("maxConcurrent")
                            .asInt(Partner.DeliveryPolicy.DEFAULT.maxConcurrent())),
                    events(),
                    targets(),
                    agent(),
                    syncJobs(),
                    signatures());
        }

        private Partner.Signatures signatures() {
            JsonNode node = root.get("signatures");
            if (node == null) {
                return null;
            }
            List<String> secrets = new ArrayList<>();
            for (int i = 0; i < node.get("secrets").size(); i++) {
                secrets.add(SecretPlaceholders.require(file, "/signatures/secrets/" + i, node.get("secrets").get(i).asText()));
            }
            Duration tolerance = duration(node, "/signatures", "tolerance", Partner.Signatures.DEFAULT_TOLERANCE);
            if (tolerance.isZero() || tolerance.isNegative() || tolerance.compareTo(Duration.ofHours(1)) > 0) {
                // Replays are refused by the webhook-id within the idempotency retention; a long window only widens them.
                throw InvalidConnectorException.at(file, "/signatures/tolerance", "must be more than 0 and at most 1h");
            }
            return new Partner.Signatures(List.copyOf(secrets), tolerance, !"optional".equals(node.path("apiKey").asText("required")));
        }

        private Partner.Agent agent() {
            JsonNode agent = root.get("agent");
            if (agent == null) {
                return null;
            }
            JsonNode beat = agent.path("heartbeat");
            Partner.Heartbeat d = Partner.Heartbeat.DEFAULT;
            Partner.Heartbeat heartbeat = new Partner.Heartbeat(
                    duration(beat, "/agent/heartbeat", "degradedAfter", d.degradedAfter()),
                    duration(beat, "/agent/heartbeat", "offlineAfter", d.offlineAfter()));
            if (heartbeat.degradedAfter().compareTo(heartbeat.offlineAfter()) >= 0) {
                throw InvalidConnectorException.at(file, "/agent/heartbeat/offlineAfter", "must be longer than degradedAfter ("
                        + heartbeat.degradedAfter() + "), or the agent is never degraded");
            }
            JsonNode orders = agent.path("orders");
            JsonNode reconciliation = agent.path("reconciliation");
            return new Partner.Agent(agent.get("vendorId").asText(), keys(agent.get("tokens"), "/agent/tokens"), heartbeat,
                    duration(orders, "/agent/orders", "callbackTimeout", Partner.Agent.DEFAULT_CALLBACK_TIMEOUT),
                    orders.has("secret") ? orders.get("secret").asText() : null,
                    duration(reconciliation, "/agent/reconciliation", "every", Partner.Agent.DEFAULT_RECONCILE_EVERY),
                    reconciliation.path("maxBucket").asInt(Partner.Agent.DEFAULT_MAX_BUCKET));
        }

        private List<Partner.ApiKey> apiKeys() {
            return keys(root.path("apiKeys"), "/apiKeys");
        }

        private List<Partner.ApiKey> keys(JsonNode list, String at) {
            List<Partner.ApiKey> keys = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                JsonNode key = list.get(i);
                Instant expires = null;
                if (key.has("expiresAt")) {
                    try {
                        expires = Instant.parse(key.get("expiresAt").asText());
                    } catch (DateTimeParseException e) {
                        throw InvalidConnectorException.at(file, at + "/" + i + "/expiresAt",
                                "'" + key.get("expiresAt").asText() + "' is not an ISO-8601 instant like 2027-06-30T00:00:00Z");
                    }
                }
                keys.add(new Partner.ApiKey(key.get("id").asText(), HexFormat.of().parseHex(key.get("sha256").asText()), expires));
            }
            return List.copyOf(keys);
        }

        private Partner.RateLimit rateLimit() {
            JsonNode node = root.get("rateLimit");
            return node == null ? Partner.RateLimit.DEFAULT
                    : new Partner.RateLimit(node.get("capacity").asLong(), node.get("refillPerSecond").asDouble());
        }

        private Partner.RetryPolicy retry() {
            JsonNode node = root.path("retry");
            Partner.RetryPolicy d = Partner.RetryPolicy.DEFAULT;
            return new Partner.RetryPolicy(
                    node.path("maxAttempts").asInt(d.maxAttempts()),
                    duration(node, "/retry", "initialDelay", d.initialDelay()),
                    node.path("multiplier").asDouble(d.multiplier()),
                    duration(node, "/retry", "maxDelay", d.maxDelay()),
                    node.path("jitter").asDouble(d.jitter()));
        }

        private Map<String, PartnerEvent> events() {
            Map<String, PartnerEvent> events = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.get("events").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String at = "/events/" + e.getKey();
                String route = e.getValue().get("route").asText();
                // null: the routes folder has a problem of its own (validate reports it); the events are checked without it.
                String problem = routes == null ? null : routes.problemWith(route);
                if (problem != null) {
                    throw InvalidConnectorException.at(file, at + "/route", problem);
                }
                IdempotencyKeySource key;
                try {
                    key = e.getValue().has("idempotencyKey")
                            ? IdempotencyKeySource.parse(e.getValue().get("idempotencyKey").asText())
                            : root.has("signatures") ? IdempotencyKeySource.WEBHOOK_ID : IdempotencyKeySource.DEFAULT;
                } catch (InvalidPathException | IllegalArgumentException ex) {
                    throw InvalidConnectorException.at(file, at + "/idempotencyKey", ex.getMessage());
                }
                Optional<JsonSchema> schema = e.getValue().has("schema")
                        ? Optional.of(payloadSchema(e.getValue().get("schema").asText(), at + "/schema"))
                        : Optional.empty();
                events.put(e.getKey(), new PartnerEvent(e.getKey(), route, schema, key));
            }
            return Map.copyOf(events);
        }

        private JsonSchema payloadSchema(String location, String at) {
            Path path = workDir.resolve(location).normalize();
            if (!Files.isRegularFile(path)) {
                throw InvalidConnectorException.at(file, at, "schema file " + path + " does not exist");
            }
            JsonNode node;
            try {
                node = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).readTree(path.toFile());
            } catch (IOException e) {
                throw InvalidConnectorException.at(file, at, "schema file " + path + " is not valid JSON: "
                        + RouteCatalog.firstLine(e.getMessage()));
            }
            SpecVersion.VersionFlag version = SpecVersionDetector.detectOptionalVersion(node, false)
                    .orElse(SpecVersion.VersionFlag.V202012);
            JsonSchemaFactory factory = JsonSchemaFactory.getInstance(version);
            // A schema that is not itself valid (e.g. "type": 5) would reject or accept everything at request time.
            Set<ValidationMessage> invalid = factory
                    .getSchema(SchemaLocation.of(version.getId()), POINTER_PATHS)
                    .validate(node);
            if (!invalid.isEmpty()) {
                ValidationMessage first = invalid.iterator().next();
                throw InvalidConnectorException.at(file, at, "schema file " + path + " is not a valid JSON Schema: "
                        + first.getInstanceLocation() + ": " + first.getError());
            }
            try {
                JsonSchema schema = factory.getSchema(node, POINTER_PATHS);
                schema.initializeValidators();
                return schema;
            } catch (RuntimeException e) {
                throw InvalidConnectorException.at(file, at, "schema file " + path + " is not a valid JSON Schema: "
                        + RouteCatalog.firstLine(e.getMessage()));
            }
        }

        private Map<String, SyncJob> syncJobs() {
            Map<String, SyncJob> jobs = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.path("syncJobs").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                jobs.put(e.getKey(), new SyncJobReader(file, "/syncJobs/" + e.getKey(), e.getValue(), root).read(e.getKey()));
            }
            return Collections.unmodifiableMap(jobs);
        }

        private Map<String, Partner.Target> targets() {
            Map<String, Partner.Target> targets = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.path("targets").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String at = "/targets/" + e.getKey();
                JsonNode t = e.getValue();
                Map<String, String> headers = new LinkedHashMap<>();
                t.path("headers").fields().forEachRemaining(h -> headers.put(h.getKey(), h.getValue().asText()));
                JsonNode cb = t.path("circuitBreaker");
                Partner.CircuitBreakerSpec d = Partner.CircuitBreakerSpec.DEFAULT;
                targets.put(e.getKey(), new Partner.Target(e.getKey(), t.get("url").asText(),
                        duration(t, at, "timeout", Duration.ofSeconds(10)),
                        Map.copyOf(headers),
                        new Partner.CircuitBreakerSpec(
                                (float) cb.path("failureRateThreshold").asDouble(d.failureRateThreshold()),
                                cb.path("slidingWindowSize").asInt(d.slidingWindowSize()),
                                duration(cb, at + "/circuitBreaker", "waitInOpenState", d.waitInOpenState())),
                        t.has("signing") ? new Partner.Signing(SecretPlaceholders.require(file, at + "/signing/secret",
                                t.get("signing").get("secret").asText())) : null));
            }
            return Map.copyOf(targets);
        }

        private Duration duration(JsonNode parent, String at, String field, Duration fallback) {
            JsonNode node = parent.get(field);
            if (node == null) {
                return fallback;
            }
            try {
                return Durations.parse(node.asText());
            } catch (IllegalArgumentException e) {
                throw InvalidConnectorException.at(file, at + "/" + field, e.getMessage());
            }
        }
    }
}
