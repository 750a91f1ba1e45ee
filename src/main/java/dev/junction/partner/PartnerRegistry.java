package dev.junction.partner;

import dev.junction.JunctionProperties;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * The partners the hub serves: one immutable {@link ConfigSnapshot}, loaded and validated at startup from the connectors
 * folder, replaced whole by a reload ({@link #load} then {@link #install}). Lookups read the current snapshot, so a
 * caller that looks a partner up on each request sees a reload at once; parts that build state per partner listen to
 * {@link PartnersReloaded}.
 */
@Component
public class PartnerRegistry {

    private static final Logger log = LoggerFactory.getLogger(PartnerRegistry.class);

    /** A configuration read and validated from the files, not yet running. */
    public record Candidate(ConfigFiles files, List<Partner> partners) {}

    private final Path workDir;
    private final Path connectorsDir;
    private final Path routesDir;
    private final Clock clock;
    private final ApplicationEventPublisher events;
    private volatile ConfigSnapshot current;
    private volatile ConfigFiles currentFiles;

    PartnerRegistry(JunctionProperties properties, Clock clock, ApplicationEventPublisher events) {
        this.workDir = Path.of("").toAbsolutePath();
        this.connectorsDir = workDir.resolve(properties.connectorsDir()).normalize();
        this.routesDir = workDir.resolve(properties.routesDir()).normalize();
        this.clock = clock;
        this.events = events;
        Candidate first = load();
        this.current = snapshot(1, first);
        this.currentFiles = first.files();
        if (current.partners().isEmpty()) {
            log.warn("No connector in {}: no partner can call the hub", connectorsDir);
        } else {
            log.info("Loaded {} partner(s) from {}: {}", current.partners().size(), connectorsDir, current.partners().keySet());
        }
    }

    public Optional<Partner> find(String id) {
        return Optional.ofNullable(current.partners().get(id));
    }

    public Collection<Partner> all() {
        return current.all();
    }

    public ConfigSnapshot snapshot() {
        return current;
    }

    /** The files the running configuration was loaded from, with their contents (a route reload rolls back to these). */
    public ConfigFiles files() {
        return currentFiles;
    }

    public Path connectorsDir() {
        return connectorsDir;
    }

    public Path routesDir() {
        return routesDir;
    }

    /**
     * Reads and validates the whole configuration on disk now, without touching the running one.
     *
     * @throws InvalidConnectorException naming the file, the field and the problem
     */
    public Candidate load() {
        // Hashed before the loader reads them: a file written in between differs from the recorded hash, so the
        // watcher sees it as changed and loads it again.
        ConfigFiles files = ConfigFiles.read(connectorsDir, routesDir);
        return new Candidate(files, new ConnectorLoader(workDir).load(connectorsDir, routesDir));
    }

    /**
     * Swaps a validated candidate in and tells the parts that keep per-partner state. Reloads are serialized by the
     * caller; {@code synchronized} only guards the version count.
     */
    public synchronized ConfigSnapshot install(Candidate candidate) {
        ConfigSnapshot previous = current;
        ConfigSnapshot next = snapshot(previous.version() + 1, candidate);
        current = next;
        currentFiles = candidate.files();
        log.info("Configuration version {} loaded ({} partner(s): {}; content {})", next.version(), next.partners().size(),
                next.partners().keySet(), next.contentHash().substring(0, 12));
        events.publishEvent(new PartnersReloaded(previous, next));
        return next;
    }

    private ConfigSnapshot snapshot(long version, Candidate candidate) {
        Map<String, Partner> partners = new LinkedHashMap<>();
        candidate.partners().forEach(p -> partners.put(p.id(), p));
        return new ConfigSnapshot(version, clock.instant(), candidate.files().contentHash(),
                java.util.Collections.unmodifiableMap(partners), candidate.files().hashes());
    }
}
