package dev.junction.delivery;

import dev.junction.partner.Partner;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultProducer;

/**
 * Sends an order to a vendor's agent. An agent that never registered, or is offline by heartbeat, is not called and
 * the message is held without spending an attempt ({@link AgentUnavailableException}); a degraded one is called. The
 * call carries the body, its content type, {@code Idempotency-Key}, {@code X-Correlation-Id} and the vendor's secret as
 * a Bearer token, never anything the partner sent us. A 2xx means the agent took the order: the message then awaits
 * the agent's callback ({@link Dispatcher#AWAITING_PROPERTY}).
 */
class AgentProducer extends DefaultProducer {

    private final AgentEndpoint endpoint;
    private final DeliveryStore store;

    AgentProducer(AgentEndpoint endpoint, DeliveryStore store) {
        super(endpoint);
        this.endpoint = endpoint;
        this.store = store;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        Partner vendor = endpoint.vendor();
        String partner = exchange.getMessage().getHeader("JunctionPartner", vendor.id(), String.class);
        String holdKey = holdKey(partner, vendor.id());
        exchange.setProperty(Dispatcher.TARGET_PROPERTY, holdKey);
        AgentDirectory.Agent agent = endpoint.agents().agent(vendor.id()).orElseThrow(() -> new AgentUnavailableException(holdKey,
                "the agent of " + vendor.id() + " never registered; its orders wait until it does"));
        if (!agent.reachable()) {
            throw new AgentUnavailableException(holdKey, "the agent of " + vendor.id() + " is " + agent.status()
                    + "; its orders wait until it heartbeats again");
        }
        String receiptId = exchange.getProperty(Dispatcher.RECEIPT_PROPERTY, "", String.class);
        int attempt = exchange.getProperty(Dispatcher.ATTEMPT_PROPERTY, 2, Integer.class);
        TargetBreaker breaker = endpoint.breaker();
        if (!breaker.tryAcquire(receiptId)) {
            throw new BreakerOpenException(holdKey);
        }
        HttpRequest request;
        try {
            if (!receiptId.isEmpty()) {
                store.markAgentOrder(receiptId, vendor.id());
            }
            request = request(exchange, agent, vendor);
        } catch (RuntimeException e) {
            breaker.release();
            throw e;
        }
        HttpResponse<byte[]> response = BreakerCall.send(endpoint.client(), request, breaker, attempt, holdKey);
        exchange.setProperty(Dispatcher.AWAITING_PROPERTY, vendor.id());
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, response.statusCode());
        exchange.getMessage().setBody(response.body());
    }

    private static final String HOLD = "/" + Breakers.AGENT + ":";

    /** Where an agent's orders of one partner park: {@code <partner>/agent:<vendor>} (the partner leads, as for targets). */
    static String holdKey(String partner, String vendor) {
        return partner + HOLD + vendor;
    }

    /** The vendor of a {@link #holdKey}; null for any other parking key (a target's {@code <partner>/<target>}). */
    static String vendorOfHold(String key) {
        int at = key.indexOf(HOLD);
        return at < 0 ? null : key.substring(at + HOLD.length());
    }

    private HttpRequest request(Exchange exchange, AgentDirectory.Agent agent, Partner vendor) {
        URI uri = URI.create(agent.url().replaceAll("/+$", "") + endpoint.path());
        byte[] body = exchange.getMessage().getBody(byte[].class);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .timeout(AgentEndpoint.CALL_TIMEOUT)
                .method(endpoint.method(), body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", exchange.getMessage().getHeader("Content-Type", "application/json", String.class))
                .header("User-Agent", "Junction");
        for (String header : new String[] {"Idempotency-Key", "X-Correlation-Id"}) {
            String value = exchange.getMessage().getHeader(header, String.class);
            if (value != null) {
                b.header(header, value);
            }
        }
        if (vendor.agent().secret() != null) {
            // Resolved per call from the environment, so the secret is never held in the descriptor model.
            b.header("Authorization", "Bearer " + endpoint.environment().resolveRequiredPlaceholders(vendor.agent().secret()));
        }
        return b.build();
    }
}
