package dev.junction.kafka;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Kafka for routes that publish ({@code to: kafka:<topic>}) and sync jobs that consume ({@code junction.kafka.*}, or
 * {@code JUNCTION_KAFKA_*}). Unset, the hub runs without Kafka; a route that needs it then fails startup naming this setting.
 * The producer is always idempotent with {@code acks=all}: those are the delivery guarantee, not knobs.
 *
 * @param bootstrapServers {@code host:port[,host:port]} of the cluster
 * @param linger how long the client waits to fill a batch; concurrent deliveries share batches
 * @param requestTimeout one produce request's wait for the broker's answer
 * @param deliveryTimeout the bound on one send, the client's own retries included: a broker outage fails the attempt
 *                        (which the hub retries per the partner's policy) after this, not after the client's default two minutes
 * @param maxBlock the bound on waiting for metadata (a topic's leader) when the cluster is unreachable
 */
@Validated
@ConfigurationProperties("junction.kafka")
public record KafkaSettings(
        String bootstrapServers,
        @DefaultValue("5ms") @NotNull Duration linger,
        @DefaultValue("5s") @NotNull Duration requestTimeout,
        @DefaultValue("10s") @NotNull Duration deliveryTimeout,
        @DefaultValue("10s") @NotNull Duration maxBlock) {

    public boolean configured() {
        return bootstrapServers != null && !bootstrapServers.isBlank();
    }

    /** The client refuses to start otherwise; checked here so that the message names the settings. */
    @AssertTrue(message = "junction.kafka.delivery-timeout must be at least linger + request-timeout")
    public boolean isDeliveryTimeoutCoveringARequest() {
        return deliveryTimeout == null || linger == null || requestTimeout == null
                || deliveryTimeout.compareTo(linger.plus(requestTimeout)) >= 0;
    }
}
