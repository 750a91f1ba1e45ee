package dev.junction.delivery;

import dev.junction.partner.Partner;
import java.net.http.HttpClient;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;
import org.springframework.core.env.Environment;

/**
 * A partner target seen from a route; {@code path} and {@code method} are per-call options. Camel caches endpoints by
 * URI for the life of a route, so the target's settings and breaker are looked up on each call: a reloaded descriptor
 * (a new url, timeout, headers or breaker) applies to routes that did not change.
 */
class TargetEndpoint extends DefaultEndpoint {

    private final String partner;
    private final Partner.Target target;
    private final TargetBreaker breaker;
    private final TargetComponent component;
    private final Environment environment;
    private volatile Client client;
    private String path = "";
    private String method = "POST";

    TargetEndpoint(String uri, TargetComponent component, String partner, Partner.Target target, TargetBreaker breaker,
                   Environment environment) {
        super(uri, component);
        this.partner = partner;
        this.target = target;
        this.breaker = breaker;
        this.component = component;
        this.environment = environment;
        this.client = new Client(target.timeout(), TargetRequests.client(target.timeout()));
    }

    /** A client for one connect timeout. */
    private record Client(java.time.Duration timeout, HttpClient http) {}

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

    /** The target as the running configuration declares it; as first resolved if a reload removed it. */
    Partner.Target target() {
        return component.target(partner, target.name()).orElse(target);
    }

    TargetBreaker breaker() {
        TargetBreaker now = component.breaker(partner, target.name());
        return now != null ? now : breaker;
    }

    Environment environment() {
        return environment;
    }

    HttpClient client() {
        java.time.Duration timeout = target().timeout();
        Client c = client;
        if (!c.timeout().equals(timeout)) {
            c = new Client(timeout, TargetRequests.client(timeout));
            client = c;
        }
        return c.http();
    }

    String path() {
        return path;
    }

    String method() {
        return method;
    }
}
