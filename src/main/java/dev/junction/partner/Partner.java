package dev.junction.partner;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A partner as the hub runs it: its descriptor, validated, with defaults applied.
 *
 * @param maxBodyBytes largest request body accepted on its webhooks
 * @param agent the ERP agent section, or null when the partner is not an ERP vendor
 * @param syncJobs scheduled pulls from the partner's sources, by job id
 * @param signatures Standard Webhooks verification of its webhooks, or null when they are not signed
 */
public record Partner(
        String id,
        String displayName,
        List<ApiKey> apiKeys,
        RateLimit rateLimit,
        int maxBodyBytes,
        RetryPolicy retry,
        DeliveryPolicy delivery,
        Map<String, PartnerEvent> events,
        Map<String, Target> targets,
        Agent agent,
        Map<String, SyncJob> syncJobs,
        Signatures signatures) {

    public static final int DEFAULT_MAX_BODY_BYTES = 256 * 1024;

    /** A partner whose webhooks are not signed: the shape every caller used before signatures existed. */
    public Partner(String id, String displayName, List<ApiKey> apiKeys, RateLimit rateLimit, int maxBodyBytes, RetryPolicy retry,
                   DeliveryPolicy delivery, Map<String, PartnerEvent> events, Map<String, Target> targets, Agent agent,
                   Map<String, SyncJob> syncJobs) {
        this(id, displayName, apiKeys, rateLimit, maxBodyBytes, retry, delivery, events, targets, agent, syncJobs, null);
    }

    public Optional<Signatures> signatureSpec() {
        return Optional.ofNullable(signatures);
    }

    public Optional<Agent> agentSpec() {
        return Optional.ofNullable(agent);
    }

    public Optional<SyncJob> syncJob(String id) {
        return Optional.ofNullable(syncJobs.get(id));
    }

    public Optional<PartnerEvent> event(String name) {
        return Optional.ofNullable(events.get(name));
    }

    /** A key is known by its SHA-256 only. */
    public record ApiKey(String id, byte[] sha256, Instant expiresAt) {
        public boolean expiredAt(Instant now) {
            return expiresAt != null && !now.isBefore(expiresAt);
        }
    }

    /** Token bucket: {@code capacity} tokens, refilled at {@code refillPerSecond}. */
    public record RateLimit(long capacity, double refillPerSecond) {
        public static final RateLimit DEFAULT = new RateLimit(100, 50);
    }

    /** Delay before attempt n+1 is {@code min(maxDelay, initialDelay * multiplier^(n-1))} +- jitter. */
    public record RetryPolicy(int maxAttempts, Duration initialDelay, double multiplier, Duration maxDelay, double jitter) {
        public static final RetryPolicy DEFAULT = new RetryPolicy(8, Duration.ofSeconds(5), 4, Duration.ofHours(2), 0.2);
    }

    public record DeliveryPolicy(int maxConcurrent) {
        public static final DeliveryPolicy DEFAULT = new DeliveryPolicy(8);
    }

    /**
     * A named outbound endpoint. {@code url} and header values keep their {@code ${ENV}} placeholders;
     * they are resolved when a call is made, so secrets are never held in the descriptor model.
     */
    public record Target(String name, String url, Duration timeout, Map<String, String> headers, CircuitBreakerSpec circuitBreaker,
                         Signing signing) {

        /** A target whose calls are not signed. */
        public Target(String name, String url, Duration timeout, Map<String, String> headers, CircuitBreakerSpec circuitBreaker) {
            this(name, url, timeout, headers, circuitBreaker, null);
        }

        public Optional<Signing> signingSpec() {
            return Optional.ofNullable(signing);
        }
    }

    /**
     * Standard Webhooks verification of a partner's webhooks (see {@link StandardWebhooks}).
     *
     * @param secrets {@code ${ENV}} placeholders of {@code whsec_} secrets, resolved at each verification; any one
     *        matching passes, which is how a secret is rotated
     * @param tolerance how far {@code webhook-timestamp} may be from the hub's clock, in the past or the future
     * @param apiKeyRequired true: a valid key and a valid signature; false: a valid signature alone is enough, and a
     *        request without signature headers needs a valid key
     */
    public record Signatures(List<String> secrets, Duration tolerance, boolean apiKeyRequired) {
        public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);
    }

    /** Standard Webhooks signing of every call to a target; {@code secret} is a {@code ${ENV}} placeholder. */
    public record Signing(String secret) {}

    public record CircuitBreakerSpec(float failureRateThreshold, int slidingWindowSize, Duration waitInOpenState) {
        public static final CircuitBreakerSpec DEFAULT = new CircuitBreakerSpec(50, 20, Duration.ofSeconds(30));
    }

    /**
     * An ERP vendor's agent (ERP-AGENTS.md): its tokens, heartbeat thresholds, order settings and reconciliation.
     *
     * @param vendorId the vendor's id in ERP exports (mapping files)
     * @param tokens agent tokens, known by their SHA-256 only, valid only on {@code /agents/{vendor}/**}
     * @param secret a {@code ${ENV}} placeholder, resolved when an order is sent; null when none is set
     */
    public record Agent(String vendorId, List<ApiKey> tokens, Heartbeat heartbeat, Duration callbackTimeout, String secret,
                        Duration reconcileEvery, int maxBucket) {
        public static final Duration DEFAULT_CALLBACK_TIMEOUT = Duration.ofMinutes(15);
        public static final Duration DEFAULT_RECONCILE_EVERY = Duration.ofHours(1);
        public static final int DEFAULT_MAX_BUCKET = 100;
    }

    /** An agent is online until {@code degradedAfter} without a heartbeat, degraded until {@code offlineAfter}, then offline. */
    public record Heartbeat(Duration degradedAfter, Duration offlineAfter) {
        public static final Heartbeat DEFAULT = new Heartbeat(Duration.ofMinutes(2), Duration.ofMinutes(10));
    }
}
