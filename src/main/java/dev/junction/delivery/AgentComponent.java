package dev.junction.delivery;

import dev.junction.partner.Partner;
import dev.junction.partner.PartnerRegistry;
import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * The {@code agent:} Camel component: {@code agent:<vendor>/<path>} sends the message to the vendor's registered ERP
 * agent ({@code agentUrl + /<path>}) with the vendor's secret, under a breaker per vendor agent; the message then
 * awaits the agent's callback (ERP-AGENTS.md, "Orders to the agent"). Registered under the bean name "agent".
 */
@Component("agent")
class AgentComponent extends DefaultComponent {

    private final PartnerRegistry partners;
    private final Breakers breakers;
    private final AgentDirectory agents;
    private final Environment environment;
    private final DeliveryStore store;

    AgentComponent(PartnerRegistry partners, Breakers breakers, AgentDirectory agents, Environment environment, DeliveryStore store) {
        this.store = store;
        this.partners = partners;
        this.breakers = breakers;
        this.agents = agents;
        this.environment = environment;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        String[] parts = remaining.split("/", 2);
        Partner vendor = partners.find(parts[0])
                .orElseThrow(() -> new IllegalArgumentException(uri + ": no partner '" + parts[0] + "' in the connectors folder"));
        if (vendor.agent() == null) {
            throw new IllegalArgumentException(uri + ": partner '" + parts[0] + "' has no agent section; agent: calls a vendor's ERP agent");
        }
        String path = parts.length == 2 ? "/" + parts[1] : "";
        AgentEndpoint endpoint = new AgentEndpoint(uri, this, vendor, path, breakers.ofAgent(vendor.id()), agents, environment, store);
        setProperties(endpoint, parameters);
        return endpoint;
    }

    java.util.Optional<Partner> vendor(String id) {
        return partners.find(id);
    }
}
