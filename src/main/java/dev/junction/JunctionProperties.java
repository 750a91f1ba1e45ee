package dev.junction;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The hub's settings ({@code junction.*}, or {@code JUNCTION_*} environment variables).
 *
 * @param connectorsDir folder of partner descriptors ({@code <partner>.yaml})
 * @param routesDir folder of Camel YAML route files
 * @param dataDir folder of the embedded H2 database, used when no datasource URL is set
 * @param opsApiKey a plaintext ops key for dev and CI, with the admin role; production configures hashed {@code opsKeys}
 * @param opsKeys hashed ops keys, each with a role (default admin)
 * @param idempotency how long an idempotency key maps to its first receipt
 * @param journal group-commit tuning of the intake journal
 * @param delivery the dispatcher's leases and recovery poller
 * @param sandbox the built-in demo receiver and the sandbox ERP agent
 * @param retention how long finished messages are kept
 * @param erp ERP agents: the mapping cache and the agent status sweep
 */
@Validated
@ConfigurationProperties("junction")
public record JunctionProperties(
        @DefaultValue("connectors") @NotNull Path connectorsDir,
        @DefaultValue("routes") @NotNull Path routesDir,
        @DefaultValue("data") @NotNull Path dataDir,
        String opsApiKey,
        @DefaultValue List<@Valid OpsKey> opsKeys,
        @DefaultValue @Valid Idempotency idempotency,
        @DefaultValue @Valid Journal journal,
        @DefaultValue @Valid Delivery delivery,
        @DefaultValue @Valid Sandbox sandbox,
        @DefaultValue @Valid Retention retention,
        @DefaultValue @Valid Erp erp) {

    /**
     * @param role {@code read} (every GET under /ops and the actuator) or {@code admin} (also replay, discard and every
     *             other action); a plain string validated here, so that a typo stops startup naming the setting
     *             (Spring Boot prints the index, {@code junction.opsKeys[0].role}; the message adds the documented spelling)
     */
    public record OpsKey(
            @NotNull @Pattern(regexp = "[A-Za-z0-9._-]{1,64}") String id,
            @NotNull @Pattern(regexp = "[0-9a-fA-F]{64}") String sha256,
            @DefaultValue("admin") @NotNull
            @Pattern(regexp = "read|admin", message = "must be read or admin (junction.ops-keys[n].role, env JUNCTION_OPS_KEYS_n_ROLE)")
            String role) {}

    /**
     * @param lease how long a claimed message belongs to one instance; longer than any target timeout
     * @param pollInterval how often the recovery poller looks for due retries and expired leases
     * @param pollBatch most messages one poll claims per partner
     * @param queueCapacity claimed messages a partner may have waiting in memory for its bulkhead
     * @param maxQueuedPayload payload bytes all partners' bulkheads may hold in memory together (waiting or running);
     *                         past it, new messages wait in the database for the poller instead
     */
    public record Delivery(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("2m") @NotNull Duration lease,
            @DefaultValue("1s") @NotNull Duration pollInterval,
            @DefaultValue("200") @Min(1) int pollBatch,
            @DefaultValue("1000") @Min(1) int queueCapacity,
            @DefaultValue("64MB") @NotNull DataSize maxQueuedPayload) {}

    /**
     * @param enabled whether {@code /sandbox/**} records requests, as a target for the demo and for trials
     * @param agent the sandbox ERP agent inside the hub, off by default
     */
    public record Sandbox(@DefaultValue("true") boolean enabled, @DefaultValue("1000") @Min(1) int keep,
                          @DefaultValue @Valid SandboxAgent agent) {}

    /**
     * A demo ERP agent served by the hub itself ({@code /sandbox/agent/{vendor}/**}): it registers with the hub over
     * HTTP, heartbeats, pushes a small catalog, books orders after a delay and calls back, and serves the reconcile
     * endpoints over its data set.
     *
     * @param enabled whether it runs ({@code JUNCTION_SANDBOX_AGENT_ENABLED})
     * @param vendor the vendor it is the agent of
     * @param token the agent token it presents to the hub ({@code JUNCTION_SANDBOX_AGENT_TOKEN}); no default: enabled
     *              without one, it does not start and says so
     * @param secret the Bearer it expects on orders (the vendor's {@code agent.orders.secret}); unset, any is accepted
     * @param bookingDelay how long it takes to "book" an order before calling back
     * @param heartbeatEvery how often it heartbeats (and re-pushes its catalog while the hub rejected part of it)
     * @param callbackBaseUrl where callbacks go instead of the hub itself ({@code http://localhost:<port>}), e.g. a stub
     */
    public record SandboxAgent(
            @DefaultValue("false") boolean enabled,
            @DefaultValue("fresh-foods") @NotNull @Pattern(regexp = "[a-z0-9][a-z0-9-]{1,62}") String vendor,
            String token,
            String secret,
            @DefaultValue("2s") @NotNull Duration bookingDelay,
            @DefaultValue("30s") @NotNull Duration heartbeatEvery,
            String callbackBaseUrl) {

        @Override
        public String toString() {
            // Never print the token or the secret.
            return "SandboxAgent[enabled=" + enabled + ", vendor=" + vendor + ", token=" + (token == null ? "unset" : "[set]")
                    + ", secret=" + (secret == null ? "unset" : "[set]") + ", bookingDelay=" + bookingDelay + ", heartbeatEvery="
                    + heartbeatEvery + ", callbackBaseUrl=" + callbackBaseUrl + "]";
        }
    }

    /**
     * @param messages finished (delivered or discarded) messages received longer ago than this are deleted; at least the
     *                 idempotency retention, since a message's key goes with it
     * @param interval how often the purge runs ({@code junction.retention.interval}, read by the scheduler)
     * @param batch rows deleted per transaction (few: H2 holds a transaction's deleted rows, payloads included, in memory)
     */
    public record Retention(
            @DefaultValue("7d") @NotNull Duration messages,
            @DefaultValue("10m") @NotNull Duration interval,
            @DefaultValue("100") @Min(1) int batch) {}

    /**
     * @param mappingCacheTtl longest a vendor's ERP code mappings are served from memory; each batch also checks the
     *                        vendor's mapping revision, so an import is seen by the next batch on every instance
     * @param mappingCacheVendors most vendors whose mappings are held in memory at once (the cache's bound)
     * @param statusSweep how often each instance records agents' status transitions (online, degraded, offline)
     */
    public record Erp(
            @DefaultValue("10m") @NotNull Duration mappingCacheTtl,
            @DefaultValue("1000") @Min(1) int mappingCacheVendors,
            @DefaultValue("15s") @NotNull Duration statusSweep) {}

    public record Idempotency(@DefaultValue("24h") @NotNull Duration retention) {}

    /**
     * @param writerThreads concurrent committers; one is best for embedded H2, a few pipeline commits on PostgreSQL
     * @param maxBatch most messages one commit carries
     * @param maxBatchBytes most payload bytes one commit carries (passed by at most one message)
     * @param queueCapacity appends waiting for a writer before intake answers 503 (backpressure, not unbounded memory)
     * @param appendTimeout longest a request waits for its commit before answering 503
     */
    public record Journal(
            @DefaultValue("1") @Min(1) @Max(64) int writerThreads,
            @DefaultValue("512") @Min(1) @Max(10_000) int maxBatch,
            @DefaultValue("4MB") @NotNull DataSize maxBatchBytes,
            @DefaultValue("10000") @Min(1) int queueCapacity,
            @DefaultValue("5s") @NotNull Duration appendTimeout) {}
}
