package dev.junction.kafka;

import dev.junction.support.HubClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Test helpers shared by the Kafka tests: the test partners' keys, a webhook, and everything a topic holds. */
final class KafkaTopics {

    /** Plaintext keys of src/test/resources/kafka/connectors (the descriptors hold their hashes). */
    static final String STREAM = "stream-key-1";
    static final String FRAGILE = "fragile-key-1";
    static final String CONNECTORS = "junction.connectors-dir=src/test/resources/kafka/connectors";
    static final String ROUTES = "junction.routes-dir=src/test/resources/kafka/routes";

    private KafkaTopics() {}

    static String accept(HubClient hub, String partner, String key, String event, String body, String... headers) {
        List<String> all = new ArrayList<>(List.of("X-API-Key", key));
        all.addAll(List.of(headers));
        HubClient.Res res = hub.postJson("/webhooks/" + partner + "/" + event, body, all.toArray(String[]::new));
        assertThat(res.status()).as(res.toString()).isEqualTo(202);
        return res.json().path("receiptId").asText();
    }

    /** Every record the topic holds now, read from the beginning by a consumer without a group. */
    static List<ConsumerRecord<String, String>> readAll(String brokers, String topic) {
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            var partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " to its end " + end);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    static List<ConsumerRecord<String, String>> withKey(List<ConsumerRecord<String, String>> records, String key) {
        return records.stream().filter(r -> key.equals(r.key())).toList();
    }

    static String status(JdbcTemplate jdbc, String receipt) {
        return jdbc.queryForObject("SELECT status FROM message WHERE receipt_id = ?", String.class, receipt);
    }

    static void awaitStatus(JdbcTemplate jdbc, String receipt, String status) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> status(jdbc, receipt), status::equals);
    }

    static String header(ConsumerRecord<String, String> record, String name) {
        var h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
