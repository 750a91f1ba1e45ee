package dev.junction.delivery;

import dev.junction.partner.Partner;
import dev.junction.partner.StandardWebhooks;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultProducer;

/**
 * Calls a target: only the message body, its content type, {@code Idempotency-Key}, {@code X-Correlation-Id}, the
 * target's own headers and, for a target with {@code signing}, the Standard Webhooks headers go out; nothing the partner sent us (least of all its credentials) is forwarded. The call
 * goes through the target's breaker ({@link BreakerCall}).
 */
class TargetProducer extends DefaultProducer {

    private static final Set<String> OURS = Set.of("idempotency-key", "x-correlation-id", "content-type");
    private static final Set<String> OURS_SIGNED = Set.of("idempotency-key", "x-correlation-id", "content-type",
            StandardWebhooks.ID, StandardWebhooks.TIMESTAMP, StandardWebhooks.SIGNATURE);

    private final TargetEndpoint endpoint;

    TargetProducer(TargetEndpoint endpoint) {
        super(endpoint);
        this.endpoint = endpoint;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        Partner.Target target = endpoint.target();
        TargetBreaker breaker = endpoint.breaker();
        String name = breaker.key();
        exchange.setProperty(Dispatcher.TARGET_PROPERTY, name);
        // Outside a delivery (no receipt, no attempt) a call counts like a retry's.
        String receiptId = exchange.getProperty(Dispatcher.RECEIPT_PROPERTY, "", String.class);
        int attempt = exchange.getProperty(Dispatcher.ATTEMPT_PROPERTY, 2, Integer.class);
        if (!breaker.tryAcquire(receiptId)) {
            throw new BreakerOpenException(name);
        }
        HttpRequest request;
        try {
            request = request(exchange, target);
        } catch (RuntimeException misconfigured) {
            breaker.release();
            throw new IllegalStateException(name + ": " + misconfigured.getMessage(), misconfigured);
        }
        HttpResponse<byte[]> response = BreakerCall.send(endpoint.client(), request, breaker, attempt, name);
        int status = response.statusCode();
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setBody(response.body());
    }

    private HttpRequest request(Exchange exchange, Partner.Target target) {
        byte[] body = exchange.getMessage().getBody(byte[].class);
        HttpRequest.Builder b = TargetRequests.builder(endpoint.environment(), target, endpoint.path(),
                        target.signing() == null ? OURS : OURS_SIGNED)
                .method(endpoint.method(), body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", exchange.getMessage().getHeader("Content-Type", "application/json", String.class));
        copy(exchange, b, "Idempotency-Key");
        copy(exchange, b, "X-Correlation-Id");
        target.signingSpec().ifPresent(signing -> sign(b, signing, exchange, body == null ? new byte[0] : body));
        return b.build();
    }

    /**
     * Standard Webhooks headers over the exact bytes sent. The id is the message's receipt id (its Idempotency-Key),
     * the same on every attempt, so the target deduplicates retries by it; the timestamp is this attempt's, on the
     * wall clock the target compares it with.
     */
    private void sign(HttpRequest.Builder b, Partner.Signing signing, Exchange exchange, byte[] body) {
        byte[] key = StandardWebhooks.resolveKey(endpoint.environment(), signing.secret());
        String id = exchange.getMessage().getHeader("Idempotency-Key", exchange.getExchangeId(), String.class);
        long timestamp = Instant.now().getEpochSecond();
        b.header(StandardWebhooks.ID, id)
                .header(StandardWebhooks.TIMESTAMP, Long.toString(timestamp))
                .header(StandardWebhooks.SIGNATURE, StandardWebhooks.sign(key, id, timestamp, body));
    }

    private static void copy(Exchange exchange, HttpRequest.Builder b, String header) {
        String value = exchange.getMessage().getHeader(header, String.class);
        if (value != null) {
            b.header(header, value);
        }
    }
}
