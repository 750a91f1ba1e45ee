package dev.junction.reload;

import dev.junction.partner.ConfigCheck;
import dev.junction.partner.ConnectorCheck;
import dev.junction.partner.InvalidConnectorException;
import dev.junction.partner.ConfigSnapshot;
import dev.junction.partner.PartnerRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Reloads the connector and route files as one configuration: reads and validates all of it ({@link PartnerRegistry#load},
 * then every {@link ConfigCheck}), loads changed route files into Camel, swaps the partners in, and only then removes
 * the routes no file declares. Any problem on the way refuses the whole change: the running configuration stays, the
 * problem is logged once at WARN and kept as {@code lastError} until a reload succeeds.
 *
 * <p>Reloads are serialized (the watcher's and ops' alike). Each is audited ({@code action: reload}, actor the ops key
 * or {@code watcher}); the watcher only reloads when the files changed.
 */
@Component
public class ConfigReloader {

    private static final Logger log = LoggerFactory.getLogger(ConfigReloader.class);

    /** What a reload did: the configuration now running, and the errors that refused the change (empty if none). */
    public record Result(ConfigSnapshot running, boolean changed, List<String> errors) {
        public boolean refused() {
            return !errors.isEmpty();
        }
    }

    /** The configuration an ops reader sees, and what a reload could not apply. */
    public record Status(long version, Instant loadedAt, String contentHash, String lastError, Instant lastErrorAt,
                         Map<String, String> files, List<String> restartRequired) {}

    private final PartnerRegistry registry;
    private final List<ConfigCheck> checks;
    private final RouteFiles routes;
    private final NamedParameterJdbcTemplate jdbc;
    private final Clock clock;
    private volatile String lastError;
    private volatile Instant lastErrorAt;
    private volatile List<String> restartRequired = List.of();

    ConfigReloader(PartnerRegistry registry, List<ConfigCheck> checks, RouteFiles routes, NamedParameterJdbcTemplate jdbc, Clock clock) {
        this.registry = registry;
        this.checks = checks;
        this.routes = routes;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    public Status status() {
        ConfigSnapshot s = registry.snapshot();
        return new Status(s.version(), s.loadedAt(), s.contentHash(), lastError, lastErrorAt, s.files(), restartRequired);
    }

    /**
     * @param force swap the configuration in even when no connector or route file changed: an ops reload re-reads what
     *              the folders' hashes do not cover (the JSON Schema files events name). The watcher does not force.
     */
    public synchronized Result reload(String actor, boolean force) {
        ConfigSnapshot running = registry.snapshot();
        PartnerRegistry.Candidate candidate;
        try {
            candidate = registry.load();
            checks.forEach(c -> c.check(candidate.partners()));
        } catch (RuntimeException invalid) {
            return refused(actor, running, everyProblem(invalid));
        }
        String content = candidate.files().contentHash();
        boolean changed = !content.equals(running.contentHash());
        if (!changed && !force) {
            clearError();
            return new Result(running, false, List.of());
        }
        RouteFiles.Loaded loaded;
        try {
            loaded = routes.load(registry.files(), candidate.files(), registry.routesDir());
        } catch (RuntimeException refused) {
            return refused(actor, running, List.of(message(refused)));
        }
        ConfigSnapshot next;
        try {
            next = registry.install(candidate);
        } catch (RuntimeException listenerFailed) {
            // The partners are swapped in; a part that keeps per-partner state could not follow. Say so, loudly and once.
            String what = "configuration version " + registry.snapshot().version() + " is running, but a part could not apply it: "
                    + message(listenerFailed);
            restartRequired = List.of(what);
            log.warn("Configuration reload by {}: {}; restart the hub to apply it everywhere", actor, what);
            next = registry.snapshot();
        }
        try {
            loaded.removeStale();
        } catch (RuntimeException e) {
            restartRequired = List.of("stale routes could not be removed: " + message(e));
            log.warn("Configuration reload by {}: stale routes could not be removed: {}", actor, message(e));
        }
        clearError();
        audit(actor, "version " + next.version() + " loaded (content " + content.substring(0, 12) + (changed ? "" : ", files unchanged")
                + ", " + next.partners().size() + " partner(s))");
        return new Result(next, changed, List.of());
    }

    /**
     * Every problem of the refused change, as {@code validate} lists them (loading stops at the first), so that one
     * reload's answer shows all there is to fix; the load's own message when the check finds nothing more.
     */
    private List<String> everyProblem(RuntimeException invalid) {
        List<String> all = List.of();
        if (invalid instanceof InvalidConnectorException) {
            try {
                all = ConnectorCheck.folders(Path.of("").toAbsolutePath(), registry.connectorsDir(), registry.routesDir()).problems();
            } catch (RuntimeException checkFailed) {
                all = List.of();
            }
        }
        String first = message(invalid);
        if (all.isEmpty()) {
            return List.of(first);
        }
        // The load's message first: it is the one startup would print.
        List<String> errors = new ArrayList<>(List.of(first));
        all.stream().filter(p -> !p.equals(first)).forEach(errors::add);
        return List.copyOf(errors);
    }

    private Result refused(String actor, ConfigSnapshot running, List<String> errors) {
        String error = String.join("; ", errors);
        boolean repeated = error.equals(lastError);
        lastError = error;
        lastErrorAt = clock.instant();
        if (!repeated) {
            log.warn("Configuration reload by {} refused, version {} keeps running: {}", actor, running.version(), error);
        }
        audit(actor, "refused, version " + running.version() + " keeps running: " + error);
        return new Result(running, false, errors);
    }

    private void clearError() {
        lastError = null;
        lastErrorAt = null;
    }

    private void audit(String actor, String reason) {
        try {
            jdbc.update("INSERT INTO ops_audit (at, actor, action, reason) VALUES (:at, :actor, 'reload', :reason)",
                    new MapSqlParameterSource("at", OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC)).addValue("actor", actor)
                            .addValue("reason", reason.length() > 2000 ? reason.substring(0, 2000) : reason));
        } catch (RuntimeException e) {
            log.warn("Could not audit a configuration reload: {}", e.toString());
        }
    }

    private static String message(RuntimeException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.lines().findFirst().orElse(m);
    }
}
