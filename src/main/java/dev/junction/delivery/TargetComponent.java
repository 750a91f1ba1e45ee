package dev.junction.delivery;

import dev.junction.partner.Partner;
import dev.junction.partner.PartnerRegistry;
import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * The {@code target:} Camel component: {@code target:<partner>/<target>?path=/orders&method=POST} calls a target of a
 * partner's descriptor with its timeout, circuit breaker and headers. Registered under the bean name "target".
 */
@Component("target")
class TargetComponent extends DefaultComponent {

    private final PartnerRegistry partners;
    private final Breakers breakers;
    private final Environment environment;

    TargetComponent(PartnerRegistry partners, Breakers breakers, Environment environment) {
        this.partners = partners;
        this.breakers = breakers;
        this.environment = environment;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        String[] parts = remaining.split("/", 2);
        if (parts.length != 2) {
            throw new IllegalArgumentException(uri + ": use target:<partner>/<target>");
        }
        Partner partner = partners.find(parts[0])
                .orElseThrow(() -> new IllegalArgumentException(uri + ": no partner '" + parts[0] + "' in the connectors folder"));
        Partner.Target target = partner.targets().get(parts[1]);
        if (target == null) {
            throw new IllegalArgumentException(uri + ": partner '" + parts[0] + "' declares no target '" + parts[1]
                    + "'; its targets are " + partner.targets().keySet());
        }
        TargetEndpoint endpoint = new TargetEndpoint(uri, this, partner.id(), target, breakers.of(partner.id(), target.name()), environment);
        setProperties(endpoint, parameters);
        return endpoint;
    }

    java.util.Optional<Partner.Target> target(String partner, String name) {
        return partners.find(partner).map(p -> p.targets().get(name));
    }

    TargetBreaker breaker(String partner, String name) {
        return breakers.of(partner, name);
    }
}
