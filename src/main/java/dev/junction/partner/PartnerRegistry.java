package dev.junction.partner;

import dev.junction.JunctionProperties;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** The partners the hub serves, loaded and validated once at startup from the connectors folder. */
@Component
public class PartnerRegistry {

    private static final Logger log = LoggerFactory.getLogger(PartnerRegistry.class);

    private final Map<String, Partner> partners;

    PartnerRegistry(JunctionProperties properties) {
        Path cwd = Path.of("").toAbsolutePath();
        Path connectors = cwd.resolve(properties.connectorsDir()).normalize();
        Path routes = cwd.resolve(properties.routesDir()).normalize();
        Map<String, Partner> loaded = new LinkedHashMap<>();
        new ConnectorLoader(cwd).load(connectors, routes).forEach(p -> loaded.put(p.id(), p));
        this.partners = Map.copyOf(loaded);
        if (partners.isEmpty()) {
            log.warn("No connector in {}: no partner can call the hub", connectors);
        } else {
            log.info("Loaded {} partner(s) from {}: {}", partners.size(), connectors, partners.keySet());
        }
    }

    public Optional<Partner> find(String id) {
        return Optional.ofNullable(partners.get(id));
    }

    public Collection<Partner> all() {
        return partners.values();
    }
}
