package dev.junction.delivery;

import dev.junction.partner.Partner;
import java.net.http.HttpClient;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;
import org.springframework.core.env.Environment;

/** A partner target seen from a route; {@code path} and {@code method} are per-call options. */
class TargetEndpoint extends DefaultEndpoint {

    private final String partner;
    private final Partner.Target target;
    private final TargetBreaker breaker;
    private final Environment environment;
    private final HttpClient client;
    private String path = "";
    private String method = "POST";

    TargetEndpoint(String uri, TargetComponent component, String partner, Partner.Target target, TargetBreaker breaker,
                   Environment environment) {
        super(uri, component);
        this.partner = partner;
        this.target = target;
        this.breaker = breaker;
        this.environment = environment;
        this.client = TargetRequests.client(target.timeout());
    }

    @Override
    public Producer createProducer() {
        return new TargetProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("target: endpoints can only be called, not consumed from");
    }

    public void setPath(String path) {
        this.path = path;
    }

    public void setMethod(String method) {
        this.method = method;
    }

    String partner() {
        return partner;
    }

    Partner.Target target() {
        return target;
    }

    TargetBreaker breaker() {
        return breaker;
    }

    Environment environment() {
        return environment;
    }

    HttpClient client() {
        return client;
    }

    String path() {
        return path;
    }

    String method() {
        return method;
    }
}
