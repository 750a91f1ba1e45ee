package dev.junction.delivery;

import dev.junction.partner.Partner;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Calls a partner's target outside a route, for a sync job's source: the target's url, headers, timeout and the very
 * breaker its deliveries go through, so a failing source opens the breaker deliveries see, and the other way round.
 * An open breaker refuses at once; a status of 300 or more is a {@link TargetHttpException} ({@link BreakerCall}).
 */
@Component
public class TargetCalls {

    /** A pull carries no message: its failures count against the target like a retry's, never forgiven as a first call's. */
    private static final int PULL_ATTEMPT = 2;
    private static final Set<String> NOT_ON_A_GET = Set.of("idempotency-key", "x-correlation-id", "content-type");

    private final Breakers breakers;
    private final Environment environment;
    /** By connect timeout, the only client setting that varies between targets. */
    private final Map<Duration, HttpClient> clients = new ConcurrentHashMap<>();

    TargetCalls(Breakers breakers, Environment environment) {
        this.breakers = breakers;
        this.environment = environment;
    }

    /**
     * A GET of {@code pathAndQuery} under the target's url, accepting {@code accept} unless the target sets its own
     * {@code Accept}. Exception messages name the target and never a header value.
     */
    public HttpResponse<byte[]> get(String partner, Partner.Target target, String pathAndQuery, String accept)
            throws IOException, InterruptedException {
        TargetBreaker breaker = breakers.of(partner, target.name());
        String name = Breakers.key(partner, target.name());
        if (breaker == null) {
            throw new IllegalStateException(name + ": no such target in the loaded connectors");
        }
        if (!breaker.tryAcquireForPull()) {
            throw new BreakerOpenException(name);
        }
        HttpRequest request;
        try {
            HttpRequest.Builder b = TargetRequests.builder(environment, target, pathAndQuery, NOT_ON_A_GET).GET();
            if (target.headers().keySet().stream().noneMatch("accept"::equalsIgnoreCase)) {
                b.header("Accept", accept);
            }
            request = b.build();
        } catch (RuntimeException misconfigured) {
            breaker.release();
            throw new IllegalStateException(name + ": " + misconfigured.getMessage(), misconfigured);
        }
        HttpClient client = clients.computeIfAbsent(target.timeout(), TargetRequests::client);
        return BreakerCall.send(client, request, breaker, PULL_ATTEMPT, name);
    }
}
