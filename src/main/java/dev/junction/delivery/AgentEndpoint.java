package dev.junction.delivery;

import dev.junction.partner.Partner;
import java.net.http.HttpClient;
import java.time.Duration;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;
import org.springframework.core.env.Environment;

/** A vendor's agent seen from a route: the vendor, the path under its agentUrl, its breaker. */
class AgentEndpoint extends DefaultEndpoint {

    /** How long the agent may take to answer a call (not to book the order: that is the callback's timeout). */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    private final Partner vendor;
    private final AgentComponent component;
    private final String path;
    private final TargetBreaker breaker;
    private final AgentDirectory agents;
    private final Environment environment;
    private final DeliveryStore store;
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CALL_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    private String method = "POST";

    AgentEndpoint(String uri, AgentComponent component, Partner vendor, String path, TargetBreaker breaker, AgentDirectory agents,
                  Environment environment, DeliveryStore store) {
        super(uri, component);
        this.store = store;
        this.vendor = vendor;
        this.component = component;
        this.path = path;
        this.breaker = breaker;
        this.agents = agents;
        this.environment = environment;
    }

    @Override
    public Producer createProducer() {
        return new AgentProducer(this, store);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("agent: endpoints can only be called, not consumed from");
    }

    public void setMethod(String method) {
        this.method = method;
    }

    /** The vendor as the running configuration declares it (a reload may change its order secret); as first resolved if removed. */
    Partner vendor() {
        return component.vendor(vendor.id()).filter(v -> v.agent() != null).orElse(vendor);
    }

    String path() {
        return path;
    }

    String method() {
        return method;
    }

    TargetBreaker breaker() {
        return breaker;
    }

    AgentDirectory agents() {
        return agents;
    }

    Environment environment() {
        return environment;
    }

    HttpClient client() {
        return client;
    }
}
