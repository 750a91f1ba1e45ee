package dev.junction.ops;

import java.util.Set;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;
import org.springframework.boot.actuate.health.AdditionalHealthEndpointPath;
import org.springframework.boot.actuate.health.HealthEndpointGroup;
import org.springframework.boot.actuate.health.HealthEndpointGroups;
import org.springframework.boot.actuate.health.HealthEndpointGroupsPostProcessor;
import org.springframework.stereotype.Component;

/**
 * Keeps the public {@code /actuator/health} at {@code {"status":"UP"}} (DESIGN's contract): Spring Boot lists every
 * health group's name on it ({@code "groups":["ops"]}), which tells an outsider where the details are. The groups still
 * answer by name ({@code /actuator/health/ops}, for ops keys only, security.SecurityConfig); they are just not listed.
 */
@Component
class UnlistedHealthGroups implements HealthEndpointGroupsPostProcessor {

    @Override
    public HealthEndpointGroups postProcessHealthEndpointGroups(HealthEndpointGroups groups) {
        return new HealthEndpointGroups() {
            @Override
            public HealthEndpointGroup getPrimary() {
                return groups.getPrimary();
            }

            @Override
            public Set<String> getNames() {
                return Set.of();
            }

            @Override
            public HealthEndpointGroup get(String name) {
                return groups.get(name);
            }

            @Override
            public HealthEndpointGroup get(AdditionalHealthEndpointPath path) {
                return groups.get(path);
            }

            @Override
            public Set<HealthEndpointGroup> getAllWithAdditionalPath(WebServerNamespace namespace) {
                return groups.getAllWithAdditionalPath(namespace);
            }
        };
    }
}
