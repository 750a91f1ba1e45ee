package dev.junction.partner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The route ids declared in the routes folder and the endpoint each starts from, read before Camel starts
 * so that a connector naming a missing route fails startup with a message naming the connector and event.
 */
final class RouteCatalog {

    private final Map<String, String> fromUriById;

    private RouteCatalog(Map<String, String> fromUriById) {
        this.fromUriById = fromUriById;
    }

    static RouteCatalog scan(Path dir, ObjectMapper yaml) {
        return scan(dir, yaml, problem -> {
            throw new InvalidConnectorException(problem);
        });
    }

    /**
     * Reads every route file, handing each problem ({@code file: pointer: problem}) to {@code problems}: startup throws
     * at the first, {@code validate} collects them all. A file that cannot be parsed is skipped after its problem.
     */
    static RouteCatalog scan(Path dir, ObjectMapper yaml, Consumer<String> problems) {
        if (!Files.isDirectory(dir)) {
            throw new InvalidConnectorException("Routes folder " + dir + " does not exist (set JUNCTION_ROUTES_DIR or junction.routes-dir)");
        }
        Map<String, String> routes = new HashMap<>();
        Map<String, String> declaredIn = new HashMap<>();
        for (Path file : yamlFiles(dir)) {
            String name = ConnectorLoader.display(file);
            JsonNode root;
            try {
                root = yaml.readTree(file.toFile());
            } catch (IOException e) {
                problems.accept(name + ": not valid YAML: " + firstLine(e.getMessage()));
                continue;
            }
            if (root == null || root.isMissingNode() || root.isNull()) {
                continue;
            }
            if (!root.isArray()) {
                problems.accept(name + ": a Camel YAML route file is a list of elements");
                continue;
            }
            RouteCheck.of(name, root, RouteCatalog.class.getClassLoader()).forEach(problems);
            for (int i = 0; i < root.size(); i++) {
                JsonNode route = root.get(i).path("route");
                if (route.isMissingNode()) {
                    continue;
                }
                String id = route.path("id").asText("");
                if (id.isEmpty()) {
                    problems.accept(name + ": /" + i + "/route/id: every route needs an id");
                    continue;
                }
                String earlier = declaredIn.putIfAbsent(id, name + " /" + i);
                if (earlier != null) {
                    problems.accept(name + ": /" + i + "/route/id: route id '" + id + "' is declared twice (first at " + earlier + ")");
                }
                routes.put(id, route.path("from").path("uri").asText(""));
            }
        }
        return new RouteCatalog(Map.copyOf(routes));
    }

    Set<String> ids() {
        return fromUriById.keySet();
    }

    /** Why the route cannot serve an event, or null when it can. */
    String problemWith(String routeId) {
        String from = fromUriById.get(routeId);
        if (from == null) {
            return "route '" + routeId + "' is not declared in any file of the routes folder";
        }
        String target = from.replaceFirst("^direct:(//)?", "");
        if (!from.startsWith("direct:") || !target.replaceFirst("\\?.*$", "").equals(routeId)) {
            return "route '" + routeId + "' must start from direct:" + routeId + " (it starts from '" + from + "')";
        }
        return null;
    }

    static List<Path> yamlFiles(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().matches(".*\\.ya?ml")).sorted().toList();
        } catch (IOException e) {
            throw new InvalidConnectorException("Cannot list " + dir + ": " + e.getMessage());
        }
    }

    static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }
}
