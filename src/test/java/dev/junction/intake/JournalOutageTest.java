package dev.junction.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.support.HubClient;
import dev.junction.support.HubTest;
import dev.junction.support.Keys;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** PostgreSQL stops under the hub: intake answers 503 and never a 202, then recovers by itself when it is back. */
@DirtiesContext
class JournalOutageTest extends HubTest {

    static Path dataDir;
    static int pgPort;
    static EmbeddedPostgres pg;

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) throws IOException {
        dataDir = Files.createTempDirectory("junction-outage-pg");
        try (ServerSocket s = new ServerSocket(0)) {
            pgPort = s.getLocalPort();
        }
        pg = startPostgres();
        registry.add("spring.datasource.url", () -> pg.getJdbcUrl("postgres", "postgres"));
        registry.add("spring.datasource.username", () -> "postgres");
        registry.add("junction.journal.append-timeout", () -> "3s");
    }

    static EmbeddedPostgres startPostgres() throws IOException {
        return EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false).setPort(pgPort).start();
    }

    @AfterAll
    static void stop() throws IOException {
        pg.close();
    }

    @Test
    void answers503WhileTheDatabaseIsDownAndRecoversWhenItIsBack() throws IOException {
        HubClient hub = hub();
        HubClient.Res before = hub.postJson("/webhooks/acme/order-updated", "{}", "X-API-Key", Keys.ACME, "Idempotency-Key", "before-outage");
        assertThat(before.status()).isEqualTo(202);

        pg.close();
        HubClient.Res during = hub.postJson("/webhooks/acme/order-updated", "{}", "X-API-Key", Keys.ACME, "Idempotency-Key", "during-outage");
        assertThat(during.status()).as(during.toString()).isEqualTo(503);
        assertThat(during.header("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
        assertThat(during.header("Retry-After")).isPresent();
        assertThat(during.json().path("type").asText()).endsWith("/journal-unavailable");
        assertThat(hub.get("/actuator/health").status()).isEqualTo(503);

        pg = startPostgres();
        await().atMost(Duration.ofSeconds(60)).until(() -> hub.postJson("/webhooks/acme/order-updated", "{}",
                "X-API-Key", Keys.ACME, "Idempotency-Key", "after-outage").status() == 202);
        assertThat(messagesWithKey("acme", "before-outage")).isEqualTo(1);
        assertThat(messagesWithKey("acme", "during-outage")).as("a 503 stored nothing").isZero();
        assertThat(hub.get("/actuator/health").json().path("status").asText()).isEqualTo("UP");
    }
}
