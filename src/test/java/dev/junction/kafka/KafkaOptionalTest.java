package dev.junction.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.junction.JunctionApplication;
import dev.junction.support.HubClient;
import dev.junction.support.HubTest;
import dev.junction.support.Keys;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/** Kafka is optional: without the setting the hub runs as before, and a route that needs it fails startup naming the setting. */
class KafkaOptionalTest {

    @Test
    void withoutTheSettingTheHubStartsAndDeliversWebhooks() {
        try (ConfigurableApplicationContext hub = new SpringApplicationBuilder(JunctionApplication.class).run(
                "--server.port=0", "--junction.data-dir=target/kafka-optional-" + UUID.randomUUID(),
                "--" + HubTest.CONNECTORS, "--" + HubTest.ROUTES)) {
            int port = ((WebServerApplicationContext) hub).getWebServer().getPort();
            String receipt = KafkaTopics.accept(new HubClient(port), "acme", Keys.ACME, "order-updated", "{\"id\":1}");
            JdbcTemplate jdbc = hub.getBean(JdbcTemplate.class);
            await().atMost(Duration.ofSeconds(30)).until(
                    () -> jdbc.queryForObject("SELECT status FROM message WHERE receipt_id = ?", String.class, receipt),
                    "delivered"::equals);
            // no Kafka client was created, so none is trying to reach a broker
            assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("kafka-producer-network-thread"));
        }
    }

    @Test
    void aRouteThatPublishesNeedsTheSetting() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(JunctionApplication.class).run(
                "--server.port=0", "--junction.data-dir=target/kafka-unset-" + UUID.randomUUID(),
                "--" + KafkaTopics.CONNECTORS, "--" + KafkaTopics.ROUTES).close())
                .hasStackTraceContaining("kafka://orders needs junction.kafka.bootstrap-servers (env JUNCTION_KAFKA_BOOTSTRAP_SERVERS)");
    }

    @Test
    void aKafkaSyncJobNeedsTheSetting() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(JunctionApplication.class).run(
                "--server.port=0", "--junction.data-dir=target/kafka-unset-" + UUID.randomUUID(),
                "--junction.connectors-dir=src/test/resources/kafka/sync/connectors",
                "--junction.routes-dir=src/test/resources/kafka/sync/routes").close())
                .hasStackTraceContaining("consumes Kafka topic marketplace.")
                .hasStackTraceContaining("needs junction.kafka.bootstrap-servers (env JUNCTION_KAFKA_BOOTSTRAP_SERVERS)");
    }
}
