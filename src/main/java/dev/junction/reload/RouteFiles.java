package dev.junction.reload;

import dev.junction.delivery.RouteSwaps;
import dev.junction.partner.ConfigFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Brings the running Camel context to a new set of route files, in two steps around the swap of the partner
 * configuration: {@link #load} replaces and adds the routes of added and changed files (so a new event's route exists
 * before the event is accepted), {@link Loaded#removeStale} removes the routes no file declares any more (after the
 * events that used them are gone). Camel stops a replaced route gracefully, letting its in-flight exchanges finish on
 * it; meanwhile the dispatcher starts no new delivery on it ({@link RouteSwaps}): those wait a second, attempt unspent.
 *
 * <p>The files are loaded from the bytes that were hashed and validated, not read again. A file Camel refuses after
 * the hub's validation passed (an unknown component, a bad expression) rolls the changed files back to their previous
 * contents, and the reload is refused with Camel's message.
 */
@Component
class RouteFiles {

    private static final Logger log = LoggerFactory.getLogger(RouteFiles.class);

    private final CamelContext camel;
    private final RouteSwaps swaps;

    RouteFiles(CamelContext camel, RouteSwaps swaps) {
        this.camel = camel;
        this.swaps = swaps;
    }

    /** A route load that went through; {@link #removeStale} finishes it. */
    final class Loaded {
        private final Set<String> touched;
        private final Set<String> loadedIds;

        private Loaded(Set<String> touched, Set<String> loadedIds) {
            this.touched = touched;
            this.loadedIds = loadedIds;
        }

        /** Removes the routes of changed or removed files that the new files no longer declare. */
        void removeStale() {
            if (touched.isEmpty()) {
                return;
            }
            List<String> stale = routesOf(touched).stream().filter(id -> !loadedIds.contains(id)).toList();
            swaps.begin(stale);
            try {
                for (String id : stale) {
                    remove(id);
                    log.info("Route {} removed: no route file declares it any more", id);
                }
            } finally {
                swaps.end(stale);
            }
        }
    }

    /** Thrown when Camel refuses the new files; the routes are as they were (or the message says what is not). */
    static final class RefusedException extends RuntimeException {
        RefusedException(String message) {
            super(message, null, false, false);
        }
    }

    Loaded load(ConfigFiles running, ConfigFiles next, Path routesDir) {
        Map<String, Path> before = running.routeFiles(routesDir);
        Map<String, Path> after = next.routeFiles(routesDir);
        Map<String, Path> changed = new LinkedHashMap<>();
        after.forEach((name, path) -> {
            if (!Objects.equals(running.hashes().get(name), next.hashes().get(name))) {
                changed.put(name, path);
            }
        });
        Set<String> touched = new HashSet<>();
        changed.values().forEach(p -> touched.add(p.getFileName().toString()));
        before.forEach((name, path) -> {
            if (!after.containsKey(name)) {
                touched.add(path.getFileName().toString());
            }
        });
        if (changed.isEmpty()) {
            return new Loaded(touched, Set.of());
        }
        Set<String> names = new HashSet<>();
        changed.values().forEach(p -> names.add(p.getFileName().toString()));
        List<String> replaced = routesOf(names);
        swaps.begin(replaced);
        try {
            Set<String> ids = PluginHelper.getRoutesLoader(camel).updateRoutes(resources(changed, next));
            log.info("Route file(s) {} loaded: routes {}", changed.keySet(), ids);
            return new Loaded(touched, ids);
        } catch (Exception refused) {
            String reason = firstLine(refused);
            rollBack(changed, running);
            throw new RefusedException(String.join(", ", changed.keySet()) + ": Camel could not load the routes: " + reason);
        } finally {
            swaps.end(replaced);
        }
    }

    /** The ids of the running routes loaded from these files. */
    private List<String> routesOf(Set<String> fileNames) {
        return camel.getRoutes().stream().filter(r -> fileNames.contains(fileName(r))).map(Route::getRouteId).toList();
    }

    /** Removes whatever the changed files brought in and loads their previous contents again. */
    private void rollBack(Map<String, Path> changed, ConfigFiles running) {
        Set<String> names = new HashSet<>();
        changed.values().forEach(p -> names.add(p.getFileName().toString()));
        try {
            for (String id : routesOf(names)) {
                remove(id);
            }
            Map<String, Path> previous = new LinkedHashMap<>();
            changed.forEach((name, path) -> {
                if (running.contents().containsKey(name)) {
                    previous.put(name, path);
                }
            });
            if (!previous.isEmpty()) {
                PluginHelper.getRoutesLoader(camel).updateRoutes(resources(previous, running));
            }
        } catch (Exception e) {
            throw new RefusedException("routes of " + changed.keySet() + " could not be restored after Camel refused them ("
                    + firstLine(e) + "); restart the hub to load the route files as they are");
        }
    }

    private List<Resource> resources(Map<String, Path> files, ConfigFiles from) {
        List<Resource> resources = new ArrayList<>();
        // The same location as the startup load gives, so each route keeps naming the file it came from.
        files.forEach((name, path) -> resources.add(ResourceHelper.fromBytes("file:" + path, from.contents().get(name))));
        return resources;
    }

    private void remove(String routeId) {
        try {
            camel.getRouteController().stopRoute(routeId); // graceful: in-flight exchanges finish first
            camel.removeRoute(routeId);
        } catch (Exception e) {
            throw new IllegalStateException("route " + routeId + " could not be removed: " + firstLine(e), e);
        }
    }

    /** The file name a route was loaded from, or null for a route no file declared (REST DSL, Java). */
    static String fileName(Route route) {
        Resource source = route.getSourceResource();
        String location = source == null ? null : source.getLocation();
        if (location == null) {
            return null;
        }
        return location.substring(Math.max(location.lastIndexOf('/'), location.lastIndexOf('\\')) + 1);
    }

    /** Camel's own first line names the route and the step ("Failed to create route x at: >>> To[...] <<< because of ..."). */
    private static String firstLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.lines().findFirst().orElse("");
    }
}
