package dev.junction.intake;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.JunctionApplication;
import dev.junction.support.HubClient;
import dev.junction.support.Keys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** Every accepted message survives a stop and a start on the same data dir. */
class RestartTest {

    @Test
    void everyAcceptedMessageIsStillThereAfterARestart() throws Exception {
        Path data = Files.createTempDirectory("junction-restart");
        ConcurrentLinkedQueue<String> accepted = new ConcurrentLinkedQueue<>();
        try (ConfigurableApplicationContext first = start(data)) {
            HubClient hub = new HubClient(port(first));
            ExecutorService pool = Executors.newFixedThreadPool(8);
            for (int i = 0; i < 200; i++) {
                String key = "restart-" + i;
                pool.submit(() -> {
                    HubClient.Res res = hub.postJson("/webhooks/acme/order-updated", "{\"n\":\"" + key + "\"}",
                            "X-API-Key", Keys.ACME, "Idempotency-Key", key);
                    if (res.status() == 202) {
                        accepted.add(res.json().path("receiptId").asText());
                    }
                });
            }
            pool.shutdown();
            assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(accepted).hasSize(200);

        try (ConfigurableApplicationContext second = start(data)) {
            HubClient hub = new HubClient(port(second));
            for (String receipt : accepted) {
                HubClient.Res res = hub.get("/webhooks/acme/receipts/" + receipt, "X-API-Key", Keys.ACME);
                assertThat(res.status()).as(receipt).isEqualTo(200);
                assertThat(res.json().path("event").asText()).isEqualTo("order-updated");
            }
            HubClient.Res again = hub.postJson("/webhooks/acme/order-updated", "{}", "X-API-Key", Keys.ACME, "Idempotency-Key", "restart-7");
            assertThat(again.header("Idempotent-Replayed")).hasValue("true");
            assertThat(List.copyOf(accepted)).contains(again.json().path("receiptId").asText());
        }
    }

    static ConfigurableApplicationContext start(Path data) {
        return new SpringApplicationBuilder(JunctionApplication.class).run(
                "--server.port=0",
                "--junction.data-dir=" + data,
                "--junction.connectors-dir=src/test/resources/it/connectors",
                "--junction.routes-dir=src/test/resources/it/routes");
    }

    static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }
}
