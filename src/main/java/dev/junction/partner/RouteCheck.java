package dev.junction.partner;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a route file's steps against what the hub ships, before Camel loads it: a component, language or data format
 * that is not on the classpath would otherwise stop startup with Camel's "No language could be found for: jq", naming
 * neither the file nor the step. Each problem names the file, the step's JSON pointer and the artifact to add. Inline
 * scripts, {@code errorHandler} and {@code onException} are refused too: routes are the happy path (DESIGN, "Route
 * files"); failures are the hub's to retry, and logic belongs in tested Java beans.
 */
public final class RouteCheck {

    /** Components registered as Spring beans by the hub itself (delivery.TargetComponent, delivery.AgentComponent). */
    private static final Set<String> HUB_COMPONENTS = Set.of("target", "agent");

    /** Expression keys that are code rather than an expression: refused whether or not their language is present. */
    private static final Set<String> SCRIPTS = Set.of("groovy", "js", "python", "java", "joor", "mvel", "ognl", "spel", "wasm");

    /**
     * Expression keys of the YAML DSL whose language lives outside camel-core (which always has simple, constant,
     * header, exchangeProperty, variable, ref, tokenize and method), with the artifact that ships each.
     */
    private static final Map<String, String> LANGUAGES = Map.ofEntries(
            Map.entry("jsonpath", "org.apache.camel:camel-jsonpath"),
            Map.entry("jq", "org.apache.camel:camel-jq"),
            Map.entry("datasonnet", "org.apache.camel:camel-datasonnet"),
            Map.entry("xpath", "org.apache.camel:camel-xpath"),
            Map.entry("xquery", "org.apache.camel:camel-saxon"),
            Map.entry("xtokenize", "org.apache.camel:camel-stax"),
            Map.entry("hl7terser", "org.apache.camel:camel-hl7"),
            Map.entry("csimple", "org.apache.camel:camel-csimple-joor"),
            Map.entry("jsonata", "org.apache.camel:camel-jsonata"));

    /** Keys inside marshal/unmarshal that are options of the step, not a data format. */
    private static final Set<String> MARSHAL_OPTIONS = Set.of("id", "description", "disabled", "note", "variableSend",
            "variableReceive", "allowNullBody");

    /** Keys whose text value is an endpoint URI. */
    private static final Set<String> URI_KEYS = Set.of("uri", "to", "toD", "wireTap", "from", "inOnly", "inOut");

    private static final Pattern SCHEME = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*):");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final String file;
    private final ClassLoader classes;
    private final List<String> problems = new ArrayList<>();

    private RouteCheck(String file, ClassLoader classes) {
        this.file = file;
        this.classes = classes;
    }

    /**
     * Every problem of every route file in the folder, as {@code file: pointer: problem} lines (empty when the folder
     * can run): for {@code validate}, which reports them all rather than the first.
     */
    public static List<String> problems(Path routesDir) {
        List<String> all = new ArrayList<>();
        try {
            RouteCatalog.scan(routesDir, YAML, all::add);
        } catch (InvalidConnectorException e) {
            all.add(e.getMessage());
        }
        return List.copyOf(all);
    }

    /** The ids of the routes the folder declares (empty when it cannot be read; {@link #problems} says why). */
    public static Set<String> routeIds(Path routesDir) {
        try {
            return new TreeSet<>(RouteCatalog.scan(routesDir, YAML, p -> {}).ids());
        } catch (InvalidConnectorException e) {
            return Set.of();
        }
    }

    /** The problems of one parsed route file, as {@code file: pointer: problem} lines. */
    static List<String> of(String file, JsonNode root, ClassLoader classes) {
        RouteCheck check = new RouteCheck(file, classes);
        check.walk(root, "");
        return check.problems;
    }

    private void walk(JsonNode node, String at) {
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), at + "/" + i);
            }
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode value = e.getValue();
            String here = at + "/" + escape(key);
            if (!step(key, value, here)) {
                walk(value, here);
            }
        }
    }

    /** Checks one key; true when its subtree needs no further walk. */
    private boolean step(String key, JsonNode value, String at) {
        switch (key) {
            case "errorHandler", "onException" -> {
                problem(at, key + " is not allowed in route files: routes are the happy path, the hub retries and dead-letters"
                        + " every failure (its connector's retry policy)");
                return true;
            }
            case "script" -> {
                problem(at, "inline scripts are not allowed in route files: put the logic in a tested Java bean and call it with bean:");
                return true;
            }
            case "marshal", "unmarshal" -> {
                dataFormats(value, at);
                return false;
            }
            case "language" -> {
                if (value.isObject() && value.path("language").isTextual()) {
                    language(value.path("language").asText(), at + "/language");
                }
                return false;
            }
            default -> {
                if (SCRIPTS.contains(key) && isExpression(value)) {
                    problem(at, "inline " + key + " scripts are not allowed in route files: put the logic in a tested Java bean"
                            + " and call it with bean: or method:");
                    return true;
                }
                if (LANGUAGES.containsKey(key) && isExpression(value)) {
                    language(key, at);
                    return false;
                }
                if (URI_KEYS.contains(key) && value.isTextual()) {
                    component(value.asText(), at);
                    return true;
                }
                if ((key.equals("enrich") || key.equals("pollEnrich")) && value.isObject()) {
                    for (String literal : List.of("constant", "simple")) {
                        if (value.path(literal).isTextual()) {
                            component(value.path(literal).asText(), at + "/" + literal);
                        }
                    }
                }
                return false;
            }
        }
    }

    private static boolean isExpression(JsonNode value) {
        return value.isTextual() || value.isObject();
    }

    private void language(String name, String at) {
        if (SCRIPTS.contains(name)) {
            problem(at, "inline " + name + " scripts are not allowed in route files: put the logic in a tested Java bean");
        } else if (!present("language/" + name)) {
            problem(at, "the hub does not ship the '" + name + "' language: add "
                    + LANGUAGES.getOrDefault(name, "org.apache.camel:camel-" + name.toLowerCase(Locale.ROOT)) + " to pom.xml");
        }
    }

    private void dataFormats(JsonNode step, String at) {
        if (!step.isObject()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = step.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (MARSHAL_OPTIONS.contains(e.getKey()) || e.getKey().equals("custom")) {
                continue;
            }
            String name = dataFormatName(e.getKey(), e.getValue());
            if (!present("dataformat/" + name)) {
                problem(at + "/" + escape(e.getKey()), "the hub does not ship the '" + name + "' data format: add "
                        + dataFormatArtifact(name) + " to pom.xml");
            }
        }
    }

    /** The name Camel looks a data format up by: {@code json} and {@code yaml} pick one by their library option. */
    private static String dataFormatName(String key, JsonNode options) {
        String library = options.path("library").asText("");
        return switch (key) {
            case "json" -> switch (library.toLowerCase(Locale.ROOT)) {
                case "", "jackson" -> "jackson";
                case "gson" -> "gson";
                case "fastjson" -> "fastjson";
                case "jsonb" -> "jsonb";
                default -> library;
            };
            case "yaml" -> "snakeYaml";
            default -> key;
        };
    }

    private static String dataFormatArtifact(String name) {
        return switch (name) {
            case "jackson" -> "org.apache.camel.springboot:camel-jackson-starter";
            case "jacksonXml" -> "org.apache.camel:camel-jacksonxml";
            case "snakeYaml" -> "org.apache.camel:camel-snakeyaml";
            default -> "org.apache.camel:camel-" + name.toLowerCase(Locale.ROOT);
        };
    }

    private void component(String uri, String at) {
        Matcher m = SCHEME.matcher(uri);
        if (!m.find()) {
            return; // a placeholder or an expression: known only when the message flows
        }
        String scheme = m.group(1);
        if (!HUB_COMPONENTS.contains(scheme) && !present("component/" + scheme)) {
            problem(at, "the hub does not ship the '" + scheme + "' component: add org.apache.camel:camel-" + scheme
                    + " (or its camel-" + scheme + "-starter) to pom.xml, or call the partner with target:<partner>/<target>");
        }
    }

    /** Camel finds components, languages and data formats by these factory files, as it will when the route loads. */
    private boolean present(String factory) {
        return classes.getResource("META-INF/services/org/apache/camel/" + factory) != null;
    }

    private void problem(String at, String problem) {
        problems.add(file + ": " + at + ": " + problem);
    }

    private static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }
}
