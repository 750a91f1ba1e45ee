package dev.junction.kafka;

import static dev.junction.kafka.KafkaTopics.accept;
import static dev.junction.kafka.KafkaTopics.awaitStatus;
import static dev.junction.kafka.KafkaTopics.header;
import static dev.junction.kafka.KafkaTopics.readAll;
import static dev.junction.kafka.KafkaTopics.withKey;
import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.support.HubClient;
import java.nio.file.Files;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Routes publish to a real KRaft broker with {@code to: kafka:<topic>}: once, keyed by the receipt id, with safe headers only. */
@EmbeddedKafka(kraft = true, partitions = 3, topics = "orders")
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        KafkaTopics.CONNECTORS, KafkaTopics.ROUTES,
        "junction.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "junction.delivery.poll-interval=100ms",
})
class KafkaPublishTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    EmbeddedKafkaBroker broker;

    @DynamicPropertySource
    static void h2(DynamicPropertyRegistry registry) throws Exception {
        var dir = Files.createTempDirectory("junction-kafka-publish");
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + dir.resolve("junction") + ";WRITE_DELAY=0");
    }

    @Test
    void aWebhookIsPublishedOnceKeyedByItsReceiptId() {
        String receipt = accept(new HubClient(port), "stream", KafkaTopics.STREAM, "order-created", "{\"id\":1}",
                "X-Correlation-Id", "corr-k1");
        awaitStatus(jdbc, receipt, "delivered");

        List<ConsumerRecord<String, String>> records = withKey(readAll(broker.getBrokersAsString(), "orders"), receipt);
        assertThat(records).hasSize(1);
        ConsumerRecord<String, String> r = records.get(0);
        assertThat(r.value()).isEqualTo("{\"id\":1}");
        assertThat(header(r, "Idempotency-Key")).isEqualTo(receipt);
        assertThat(header(r, "X-Correlation-Id")).isEqualTo("corr-k1");
        assertThat(header(r, "JunctionPartner")).isEqualTo("stream");
        assertThat(header(r, "JunctionEvent")).isEqualTo("order-created");
        assertThat(attempts(receipt)).isEqualTo(1);
    }

    @Test
    void aRouteMayChooseTheKey() {
        String receipt = accept(new HubClient(port), "stream", KafkaTopics.STREAM, "order-keyed", "{\"sku\":\"sku-42\"}");
        awaitStatus(jdbc, receipt, "delivered");

        List<ConsumerRecord<String, String>> all = readAll(broker.getBrokersAsString(), "orders");
        assertThat(withKey(all, receipt)).isEmpty();
        assertThat(all).filteredOn(r -> receipt.equals(header(r, "Idempotency-Key")))
                .singleElement().satisfies(r -> assertThat(r.key()).isEqualTo("sku-42"));
    }

    @Test
    void credentialsOnTheExchangeNeverReachTheTopic() {
        String receipt = accept(new HubClient(port), "stream", KafkaTopics.STREAM, "order-with-secrets", "{\"id\":2}",
                "X-Partner-Secret", "sent-by-partner");
        awaitStatus(jdbc, receipt, "delivered");

        ConsumerRecord<String, String> r = withKey(readAll(broker.getBrokersAsString(), "orders"), receipt).get(0);
        assertThat(r.headers()).extracting(h -> h.key().toLowerCase())
                .containsOnly("idempotency-key", "x-correlation-id", "junctionpartner", "junctionevent", "content-type");
        assertThat(r.headers()).extracting(h -> new String(h.value(), java.nio.charset.StandardCharsets.UTF_8))
                .noneMatch(v -> v.contains("route-secret") || v.contains("api-secret") || v.contains("partner-secret"));
    }

    private int attempts(String receipt) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM delivery_attempt WHERE receipt_id = ?", Integer.class, receipt);
    }
}
