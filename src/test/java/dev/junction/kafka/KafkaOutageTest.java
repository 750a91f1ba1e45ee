package dev.junction.kafka;

import static dev.junction.kafka.KafkaTopics.accept;
import static dev.junction.kafka.KafkaTopics.awaitStatus;
import static dev.junction.kafka.KafkaTopics.readAll;
import static dev.junction.kafka.KafkaTopics.withKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.support.HubClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A broker outage while routes publish. {@code @EmbeddedKafka} cannot be stopped and started again, so this test runs
 * the same spring-kafka-test KRaft broker by hand on a fixed port: it stops it (the hub's producer then sees a dead
 * address, as in a real outage) and starts a new one on the same port (the recovery).
 */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        KafkaTopics.CONNECTORS, KafkaTopics.ROUTES,
        "junction.delivery.poll-interval=100ms",
        // an attempt against a dead broker fails after about two seconds
        "junction.kafka.request-timeout=1s",
        "junction.kafka.delivery-timeout=2s",
        "junction.kafka.max-block=2s",
})
class KafkaOutageTest {

    static final int PORT = freePort();
    static EmbeddedKafkaKraftBroker broker = startBroker();

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) throws Exception {
        var dir = Files.createTempDirectory("junction-kafka-outage");
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + dir.resolve("junction") + ";WRITE_DELAY=0");
        registry.add("junction.kafka.bootstrap-servers", () -> "localhost:" + PORT);
    }

    @AfterAll
    static void stopBroker() {
        broker.destroy();
    }

    @Test
    void failedSendsAreRetriedAndDeliveredAfterRecoveryOrDeadLetteredWhenAttemptsRunOut() {
        HubClient hub = new HubClient(port);
        String before = accept(hub, "stream", KafkaTopics.STREAM, "order-created", "{\"id\":\"before\"}");
        awaitStatus(jdbc, before, "delivered");

        broker.destroy();
        String patient = accept(hub, "stream", KafkaTopics.STREAM, "order-created", "{\"id\":\"during\"}");
        String fragile = accept(hub, "fragile", KafkaTopics.FRAGILE, "order-created", "{\"id\":\"lost-cause\"}");

        awaitStatus(jdbc, fragile, "dead");
        assertThat(outcomes(fragile)).containsExactly("retry", "dead");
        await().atMost(Duration.ofSeconds(30)).until(() -> outcomes(patient).size() >= 2);
        assertThat(outcomes(patient)).containsOnly("retry");
        assertThat(KafkaTopics.status(jdbc, patient)).isEqualTo("retrying");

        broker = startBroker();
        awaitStatus(jdbc, patient, "delivered");

        var records = readAll(broker.getBrokersAsString(), "orders");
        assertThat(withKey(records, patient)).singleElement()
                .satisfies(r -> assertThat(r.value()).isEqualTo("{\"id\":\"during\"}"));
        assertThat(withKey(records, fragile)).isEmpty();
        assertThat(outcomes(patient)).last().isEqualTo("delivered");
    }

    private List<String> outcomes(String receipt) {
        return jdbc.queryForList("SELECT outcome FROM delivery_attempt WHERE receipt_id = ? ORDER BY id", String.class, receipt);
    }

    private static EmbeddedKafkaKraftBroker startBroker() {
        // kafkaPorts(..) is ignored in KRaft mode (spring-kafka-test 3.3); the test kit takes the listeners as given
        EmbeddedKafkaKraftBroker b = new EmbeddedKafkaKraftBroker(1, 3, "orders");
        b.brokerProperties(Map.of("listeners", "EXTERNAL://localhost:" + PORT + ",CONTROLLER://localhost:0",
                "auto.create.topics.enable", "false"));
        b.afterPropertiesSet();
        return b;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
