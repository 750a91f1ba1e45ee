package dev.junction.routetest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.junction.partner.RouteCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Reads the route tests beside the route files, {@code <routes>/tests/<route id>/<case>/}: {@code input.json} (the
 * payload), optional {@code headers.json} (an object of strings), optional {@code responses.json} (the stubbed targets'
 * answers) and {@code expected.json} (the requests the targets must receive, in order; {@code []} when none).
 * The format is for integrators who write no Java; partner-onboarding/route-tests.md describes it.
 */
public final class RouteFixtures {

    public static final String FOLDER = "tests";

    private static final List<String> FILES = List.of("input.json", "headers.json", "responses.json", "expected.json");
    private static final List<String> REQUEST_FIELDS = List.of("target", "method", "path", "headers", "body");
    private static final List<String> RESPONSE_FIELDS = List.of("target", "method", "path", "status", "body");
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE");
    private static final ObjectMapper JSON = new ObjectMapper();

    private RouteFixtures() {}

    /**
     * Every problem of the fixtures folder as {@code file: field: problem} lines, empty when all cases are well formed:
     * for {@code validate}, which reports them all.
     */
    public static List<String> problems(Path routesDir) {
        List<String> problems = new ArrayList<>();
        read(routesDir, problems::add);
        return List.copyOf(problems);
    }

    /** Every case, route by route; the first problem throws ({@link #problems} lists them all). */
    public static List<RouteFixture> load(Path routesDir) {
        return read(routesDir, problem -> {
            throw new IllegalArgumentException(problem);
        });
    }

    private static List<RouteFixture> read(Path routesDir, Consumer<String> problems) {
        Path tests = routesDir.resolve(FOLDER);
        if (!Files.isDirectory(tests)) {
            return List.of();
        }
        Set<String> routes = RouteCheck.routeIds(routesDir);
        List<RouteFixture> cases = new ArrayList<>();
        for (Path routeDir : children(tests, problems)) {
            String routeId = routeDir.getFileName().toString();
            if (!Files.isDirectory(routeDir)) {
                problems.accept(display(routeDir) + ": a route's tests are a folder named by its route id, one case per subfolder");
                continue;
            }
            if (!routes.contains(routeId)) {
                problems.accept(display(routeDir) + ": no route '" + routeId + "' in " + display(routesDir) + " (routes: " + routes + ")");
                continue;
            }
            for (Path caseDir : children(routeDir, problems)) {
                if (!Files.isDirectory(caseDir)) {
                    problems.accept(display(caseDir) + ": a case is a folder holding input.json and expected.json");
                    continue;
                }
                RouteFixture fixture = new CaseReader(routeId, caseDir, problems).read();
                if (fixture != null) {
                    cases.add(fixture);
                }
            }
        }
        return List.copyOf(cases);
    }

    /** Reads one case folder, reporting each problem; null when the case cannot run. */
    private static final class CaseReader {

        private final String routeId;
        private final Path dir;
        private final Consumer<String> problems;
        private int found;

        CaseReader(String routeId, Path dir, Consumer<String> problems) {
            this.routeId = routeId;
            this.dir = dir;
            this.problems = problems;
        }

        RouteFixture read() {
            for (Path file : children(dir, problems)) {
                if (!FILES.contains(file.getFileName().toString())) {
                    problem(file, "", "unknown file in a route test case; expected " + FILES);
                }
            }
            JsonNode input = json("input.json", true);
            Map<String, String> headers = headers(json("headers.json", false));
            List<RouteFixture.Response> responses = responses(json("responses.json", false));
            List<RouteFixture.Request> expected = expected(json("expected.json", true));
            return found == 0 && input != null && expected != null
                    ? new RouteFixture(routeId, dir.getFileName().toString(), dir, input, headers, responses, expected)
                    : null;
        }

        private JsonNode json(String name, boolean required) {
            Path file = dir.resolve(name);
            if (!Files.exists(file)) {
                if (required) {
                    problem(file, "", "missing; a case needs input.json and expected.json");
                }
                return null;
            }
            try {
                JsonNode node = JSON.readTree(file.toFile());
                return node == null || node.isMissingNode() ? NullNode.getInstance() : node;
            } catch (IOException e) {
                problem(file, "", "not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
                return null;
            }
        }

        private Map<String, String> headers(JsonNode node) {
            Map<String, String> headers = new LinkedHashMap<>();
            if (node == null) {
                return headers;
            }
            strings(node, "headers.json", "", headers);
            return headers;
        }

        private List<RouteFixture.Response> responses(JsonNode node) {
            List<RouteFixture.Response> responses = new ArrayList<>();
            if (node == null) {
                return responses;
            }
            if (!node.isArray()) {
                problem(dir.resolve("responses.json"), "", "a list of the stubbed targets' answers: [{target, method, path, status, body}]");
                return responses;
            }
            for (int i = 0; i < node.size(); i++) {
                JsonNode r = node.get(i);
                String at = "/" + i;
                if (fields(r, RESPONSE_FIELDS, "responses.json", at)) {
                    int status = r.path("status").asInt(200);
                    if (r.has("status") && (!r.get("status").isInt() || status < 200 || status > 599)) {
                        problem(dir.resolve("responses.json"), at + "/status", "an HTTP status from 200 to 599");
                    }
                    responses.add(new RouteFixture.Response(target(r, "responses.json", at), method(r, "responses.json", at),
                            path(r, "responses.json", at), status, r.get("body")));
                }
            }
            return responses;
        }

        private List<RouteFixture.Request> expected(JsonNode node) {
            if (node == null) {
                return null;
            }
            if (!node.isArray()) {
                problem(dir.resolve("expected.json"), "", "a list of the requests the targets must receive, in order"
                        + " ([] when the route calls none): [{target, method, path, headers, body}]");
                return null;
            }
            List<RouteFixture.Request> requests = new ArrayList<>();
            for (int i = 0; i < node.size(); i++) {
                JsonNode r = node.get(i);
                String at = "/" + i;
                if (fields(r, REQUEST_FIELDS, "expected.json", at)) {
                    Map<String, String> headers = new LinkedHashMap<>();
                    if (r.has("headers")) {
                        strings(r.get("headers"), "expected.json", at + "/headers", headers);
                    }
                    requests.add(new RouteFixture.Request(target(r, "expected.json", at), method(r, "expected.json", at),
                            path(r, "expected.json", at), headers, r.get("body")));
                }
            }
            return requests;
        }

        private boolean fields(JsonNode r, List<String> known, String file, String at) {
            if (!r.isObject()) {
                problem(dir.resolve(file), at, "an object with the fields " + known);
                return false;
            }
            for (Iterator<String> names = r.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!known.contains(name)) {
                    problem(dir.resolve(file), at + "/" + name, "unknown field; the fields are " + known);
                }
            }
            return true;
        }

        private String target(JsonNode r, String file, String at) {
            String target = r.path("target").asText("");
            if (!target.matches("[a-z0-9][a-z0-9-]*/[^/\\s]+")) {
                problem(dir.resolve(file), at + "/target", "required: <partner>/<target>, as in the route's target: URI");
            }
            return target;
        }

        private String method(JsonNode r, String file, String at) {
            String method = r.path("method").asText("POST");
            if (!METHODS.contains(method)) {
                problem(dir.resolve(file), at + "/method", "one of " + METHODS);
            }
            return method;
        }

        private String path(JsonNode r, String file, String at) {
            String path = r.path("path").asText("");
            if (!path.startsWith("/")) {
                problem(dir.resolve(file), at + "/path", "required: the path after the target's url, starting with /");
            }
            return path;
        }

        private void strings(JsonNode node, String file, String at, Map<String, String> into) {
            if (!node.isObject()) {
                problem(dir.resolve(file), at, "an object of header names to string values");
                return;
            }
            node.fields().forEachRemaining(e -> {
                if (e.getValue().isTextual()) {
                    into.put(e.getKey(), e.getValue().asText());
                } else {
                    problem(dir.resolve(file), at + "/" + e.getKey(), "a header value is a string");
                }
            });
        }

        private void problem(Path file, String field, String problem) {
            found++;
            problems.accept(display(file) + ": " + (field.isEmpty() ? "" : field + ": ") + problem);
        }
    }

    private static List<Path> children(Path dir, Consumer<String> problems) {
        try (Stream<Path> list = Files.list(dir)) {
            return list.sorted().toList();
        } catch (IOException e) {
            problems.accept(display(dir) + ": cannot list: " + e.getMessage());
            return List.of();
        }
    }

    static String display(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        Path cwd = Path.of("").toAbsolutePath();
        return abs.startsWith(cwd) ? cwd.relativize(abs).toString() : abs.toString();
    }
}
