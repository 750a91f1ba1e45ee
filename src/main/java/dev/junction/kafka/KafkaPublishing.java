package dev.junction.kafka;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.apache.camel.spi.ComponentCustomizer;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.apache.camel.support.DefaultInterceptSendToEndpoint;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Camel's kafka component, configured once from {@link KafkaSettings}, so a route publishes with a plain
 * {@code to: kafka:<topic>}. A send runs inside the route like a target call: when it fails (broker down, no leader
 * within the timeouts) the exchange fails and the dispatcher records a failed attempt, retried and dead-lettered per the
 * partner's policy. Because a retried attempt may publish a record the broker had in fact stored, consumers deduplicate
 * by the key, which is the receipt id.
 */
@Configuration(proxyBeanMethods = false)
class KafkaPublishing {

    /** The exchange property the dispatcher sets to the message's receipt id (delivery.Dispatcher.RECEIPT_PROPERTY). */
    static final String RECEIPT_PROPERTY = "JunctionReceiptId";

    @Bean
    ComponentCustomizer kafkaFromSettings(KafkaSettings settings) {
        return ComponentCustomizer.forType(KafkaComponent.class, kafka -> configure(kafka.getConfiguration(), settings));
    }

    static void configure(KafkaConfiguration c, KafkaSettings settings) {
        if (settings.configured()) {
            c.setBrokers(settings.bootstrapServers());
        }
        // The broker has the record once the in-sync replicas have it, and the client's own retries inside one send
        // (a lost answer, a leader change) never write it twice.
        c.setRequestRequiredAcks("all");
        c.setEnableIdempotence(true);
        c.setMaxInFlightRequest(5); // the most idempotence keeps in order
        c.setLingerMs(millis(settings.linger()));
        c.setRequestTimeoutMs(millis(settings.requestTimeout()));
        c.setDeliveryTimeoutMs(millis(settings.deliveryTimeout()));
        c.setMaxBlockMs(millis(settings.maxBlock()));
        c.setHeaderFilterStrategy(new KafkaHeaders());
    }

    /**
     * Every kafka endpoint a route sends to keys its records by the receipt id unless the route set {@code kafka.KEY}
     * (or the URI's {@code key}): one message's records then land in one partition in order, and a consumer can drop
     * the duplicate a retried attempt may publish. An endpoint callback rather than a step in each route file, which
     * holds the happy path only.
     */
    @Bean
    CamelContextConfiguration kafkaRecordKeys(KafkaSettings settings) {
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext context) {
                context.getCamelContextExtension().registerEndpointCallback((uri, endpoint) ->
                        endpoint instanceof KafkaEndpoint kafka ? keyedByReceipt(kafka, settings) : endpoint);
            }

            @Override
            public void afterApplicationStart(CamelContext context) {
                // nothing to do once started
            }
        };
    }

    private static Endpoint keyedByReceipt(KafkaEndpoint kafka, KafkaSettings settings) {
        if (!settings.configured()) {
            throw new IllegalStateException(kafka.getEndpointUri()
                    + " needs junction.kafka.bootstrap-servers (env JUNCTION_KAFKA_BOOTSTRAP_SERVERS)");
        }
        // Also on the endpoint's own copy of the configuration: an endpoint copies the component's when it is created,
        // which (measured) can come before the component customizer has run, leaving the client's defaults (a send
        // blocking 60 s on a dead broker) in place.
        configure(kafka.getConfiguration(), settings);
        DefaultInterceptSendToEndpoint keyed = new DefaultInterceptSendToEndpoint(kafka, false);
        keyed.setBefore(exchange -> keyByReceipt(exchange, kafka.getConfiguration().getKey()));
        return keyed;
    }

    static void keyByReceipt(Exchange exchange, String configuredKey) {
        String receipt = exchange.getProperty(RECEIPT_PROPERTY, String.class);
        if (configuredKey == null && receipt != null && exchange.getMessage().getHeader(KafkaConstants.KEY) == null) {
            exchange.getMessage().setHeader(KafkaConstants.KEY, receipt);
        }
    }

    private static int millis(java.time.Duration d) {
        return Math.toIntExact(d.toMillis());
    }
}
