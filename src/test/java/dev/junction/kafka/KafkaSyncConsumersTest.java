package dev.junction.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.JunctionApplication;
import dev.junction.support.HubClient;
import dev.junction.support.Keys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.annotation.DirtiesContext;

/**
 * Kafka sources of sync jobs against a real KRaft broker, with hubs this test starts and stops itself on one H2 file
 * (a restart), each record journaled exactly once: across a restart, and across a crash between the journal commit
 * and the offset commit.
 */
@EmbeddedKafka(kraft = true, partitions = 2, topics = {"marketplace.events", "marketplace.orders", "marketplace.mixed", "marketplace.paused", "marketplace.buried"})
@DirtiesContext
class KafkaSyncConsumersTest {

    private static final String CONNECTORS = "junction.connectors-dir=src/test/resources/kafka/sync/connectors";
    private static final String ROUTES = "junction.routes-dir=src/test/resources/kafka/sync/routes";

    @Test
    void recordsProducedBeforeAndAcrossARestartAreJournaledOnce(EmbeddedKafkaBroker broker) throws Exception {
        Path data = Files.createTempDirectory("junction-kafka-sync-restart");
        produce(broker, "marketplace.events", 0, 10);
        try (ConfigurableApplicationContext hub = hub(broker, data, OffsetCommits.SYNC)) {
            awaitRows(hub, "marketplace-event", 10);
            produce(broker, "marketplace.events", 10, 5); // while it runs
            awaitRows(hub, "marketplace-event", 15);
        }
        produce(broker, "marketplace.events", 15, 5); // while it is down
        try (ConfigurableApplicationContext hub = hub(broker, data, OffsetCommits.SYNC)) {
            awaitRows(hub, "marketplace-event", 20);
            assertThat(payloads(hub, "marketplace-event")).containsExactlyInAnyOrderElementsOf(values(0, 20));
            KafkaSyncConsumers.Status s = hub.getBean(KafkaSyncConsumers.class).status("market", "marketplace-events").orElseThrow();
            assertThat(s.state()).isEqualTo("running");
            assertThat(s.journaled()).isEqualTo(5);
            assertThat(s.duplicates()).isZero();
        }
    }

    @Test
    void aCrashBetweenTheJournalCommitAndTheOffsetCommitDoesNotDuplicate(EmbeddedKafkaBroker broker) throws Exception {
        Path data = Files.createTempDirectory("junction-kafka-sync-crash");
        produce(broker, "marketplace.orders", 0, 6);
        AtomicInteger refused = new AtomicInteger();
        // The first hub journals the records and then never gets its offsets committed, as if it died in between.
        OffsetCommits dies = (consumer, offsets) -> {
            if (consumer.groupMetadata().groupId().equals("junction-market-orders")) {
                refused.incrementAndGet();
                throw new org.apache.kafka.common.KafkaException("simulated crash before the offset commit");
            }
            consumer.commitSync(offsets);
        };
        try (ConfigurableApplicationContext hub = hub(broker, data, dies)) {
            awaitRows(hub, "order-event", 6);
            await().atMost(Duration.ofSeconds(30)).until(() -> refused.get() > 0);
        }
        try (ConfigurableApplicationContext hub = hub(broker, data, OffsetCommits.SYNC)) {
            KafkaSyncConsumers consumers = hub.getBean(KafkaSyncConsumers.class);
            await().atMost(Duration.ofSeconds(60)).until(() -> consumers.status("market", "marketplace-orders").orElseThrow().duplicates() == 6);
            assertThat(consumers.status("market", "marketplace-orders").orElseThrow().journaled()).isZero();
            assertThat(rows(hub, "order-event")).isEqualTo(6);
            assertThat(payloads(hub, "order-event")).containsExactlyInAnyOrderElementsOf(values(0, 6));
        }
    }

    @Test
    void aRecordThatIsNotAJsonObjectIsADeadLetterAndTheTopicGoesOn(EmbeddedKafkaBroker broker) throws Exception {
        Path data = Files.createTempDirectory("junction-kafka-sync-poison");
        try (KafkaProducer<String, String> p = producer(broker)) {
            // one partition (key "k"), so the good record comes after the two bad ones
            p.send(new ProducerRecord<>("marketplace.mixed", "k", "not json at all")).get();
            p.send(new ProducerRecord<>("marketplace.mixed", "k", "[1,2]")).get();
            p.send(new ProducerRecord<>("marketplace.mixed", "k", "{\"n\":\"after\"}")).get();
        }
        try (ConfigurableApplicationContext hub = hub(broker, data, OffsetCommits.SYNC)) {
            awaitRows(hub, "mixed-event", 3);
            JdbcTemplate jdbc = hub.getBean(JdbcTemplate.class);
            await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject(
                    "SELECT status FROM message WHERE event = 'mixed-event' AND content_type = 'application/json'",
                    String.class), "delivered"::equals);
            List<Map<String, Object>> dead = jdbc.queryForList(
                    "SELECT content_type, last_error FROM message WHERE event = 'mixed-event' AND status = 'dead' ORDER BY idempotency_key");
            assertThat(dead).hasSize(2);
            assertThat(dead).allSatisfy(r -> assertThat(value(r, "content_type")).isEqualTo("application/octet-stream"));
            assertThat(dead).extracting(r -> (String) value(r, "last_error"))
                    .anySatisfy(e -> assertThat(e).contains("not JSON"))
                    .anySatisfy(e -> assertThat(e).contains("not a JSON object"));
            KafkaSyncConsumers.Status s = hub.getBean(KafkaSyncConsumers.class).status("market", "marketplace-mixed").orElseThrow();
            assertThat(s.deadLettered()).isEqualTo(2);
            assertThat(s.journaled()).isEqualTo(1);
        }
    }

    @Test
    void aPausedJobJournalsNothingUntilResumed(EmbeddedKafkaBroker broker) throws Exception {
        Path data = Files.createTempDirectory("junction-kafka-sync-pause");
        try (ConfigurableApplicationContext hub = hub(broker, data, OffsetCommits.SYNC)) {
            KafkaSyncConsumers consumers = hub.getBean(KafkaSyncConsumers.class);
            // Paused through the ops API: the job's row, which every instance's consumer reads.
            HubClient ops = new HubClient(Integer.parseInt(hub.getEnvironment().getProperty("local.server.port")));
            assertThat(ops.postJson("/ops/sync-jobs/market/marketplace-paused/pause", "", "X-API-Key", Keys.OPS).status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(
                    () -> consumers.status("market", "marketplace-paused").orElseThrow().state().equals("paused"));
            assertThat(ops.get("/ops/sync-jobs/market/marketplace-paused", "X-API-Key", Keys.OPS).json().get("state").asText())
                    .isEqualTo("paused");
            produce(broker, "marketplace.paused", 0, 3);
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> rows(hub, "paused-event") == 0);
            assertThat(ops.postJson("/ops/sync-jobs/market/marketplace-paused/resume", "", "X-API-Key", Keys.OPS).status()).isEqualTo(200);
            awaitRows(hub, "paused-event", 3);
            JsonNode view = ops.get("/ops/sync-jobs/market/marketplace-paused", "X-API-Key", Keys.OPS).json();
            assertThat(view.get("state").asText()).isEqualTo("running");
            assertThat(view.get("schedule").asText()).isEqualTo("continuous");
            assertThat(view.get("lastRun").get("journaled").asInt()).isEqualTo(3);
            assertThat(ops.postJson("/ops/sync-jobs/market/marketplace-paused/run", "", "X-API-Key", Keys.OPS).status())
                    .as("a Kafka job has no runs").isEqualTo(409);
            assertThat(consumers.pause("market", "no-such-job")).isFalse();
        }
    }

    @Test
    void backpressureHoldsTheConsumerWhileThePartnersBacklogIsOverMaxBacklog(EmbeddedKafkaBroker broker) throws Exception {
        Path data = Files.createTempDirectory("junction-kafka-sync-buried");
        try (ConfigurableApplicationContext hub = hub(broker, data, OffsetCommits.SYNC)) {
            produce(broker, "marketplace.buried", 0, 4);
            awaitRows(hub, "buried-event", 4);
            // 4 undelivered messages (their target refuses) are over maxBacklog 2: the consumer holds.
            await().atMost(Duration.ofSeconds(30)).until(
                    () -> hub.getBean(KafkaSyncConsumers.class).status("market", "marketplace-buried").orElseThrow().backpressure());
            produce(broker, "marketplace.buried", 4, 3);
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(6)).until(() -> rows(hub, "buried-event") == 4);
            // The backlog clears (ops discard the stuck messages): consumption resumes with the records that waited.
            hub.getBean(JdbcTemplate.class).update("UPDATE message SET status = 'discarded' WHERE event = 'buried-event'");
            awaitRows(hub, "buried-event", 7);
        }
    }

    private static ConfigurableApplicationContext hub(EmbeddedKafkaBroker broker, Path data, OffsetCommits commits) {
        return new SpringApplicationBuilder(JunctionApplication.class)
                .initializers(ctx -> ((GenericApplicationContext) ctx).registerBean(OffsetCommits.class, () -> commits))
                .run("--server.port=0", "--junction.data-dir=" + data, "--" + CONNECTORS, "--" + ROUTES,
                        "--junction.kafka.bootstrap-servers=" + broker.getBrokersAsString(), "--junction.delivery.poll-interval=100ms",
                        "--junction.ops-api-key=" + Keys.OPS);
    }

    private static void produce(EmbeddedKafkaBroker broker, String topic, int from, int count) throws Exception {
        try (KafkaProducer<String, String> p = producer(broker)) {
            for (String v : values(from, count)) {
                p.send(new ProducerRecord<>(topic, v, v)).get();
            }
        }
    }

    private static KafkaProducer<String, String> producer(EmbeddedKafkaBroker broker) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class));
    }

    private static List<String> values(int from, int count) {
        return IntStream.range(from, from + count).mapToObj(i -> "{\"n\":" + i + "}").toList();
    }

    private static void awaitRows(ConfigurableApplicationContext hub, String event, long n) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> rows(hub, event) >= n);
        assertThat(rows(hub, event)).isEqualTo(n);
    }

    private static long rows(ConfigurableApplicationContext hub, String event) {
        return hub.getBean(JdbcTemplate.class).queryForObject(
                "SELECT COUNT(*) FROM message WHERE partner = 'market' AND event = ?", Long.class, event);
    }

    private static List<String> payloads(ConfigurableApplicationContext hub, String event) {
        return hub.getBean(JdbcTemplate.class).queryForList(
                "SELECT b.payload FROM message m JOIN message_body b ON b.receipt_id = m.receipt_id WHERE m.partner = 'market' AND m.event = ?",
                byte[].class, event)
                .stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }

    private static Object value(Map<String, Object> row, String column) {
        return row.containsKey(column) ? row.get(column) : row.get(column.toUpperCase());
    }
}
