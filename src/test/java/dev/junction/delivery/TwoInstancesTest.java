package dev.junction.delivery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.junction.JunctionApplication;
import dev.junction.support.EmbeddedPostgresSupport;
import dev.junction.support.JournalRows;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/** Two hub instances on one PostgreSQL race to claim the same due messages: each is delivered exactly once. */
class TwoInstancesTest {

    private final WireMockServer target = new WireMockServer(options().dynamicPort());

    @AfterEach
    void stop() {
        target.stop();
    }

    @Test
    void twoInstancesNeverClaimTheSameMessage() {
        target.start();
        target.stubFor(post(urlPathEqualTo("/fast")).willReturn(aResponse().withStatus(200).withFixedDelay(5)));
        String url = EmbeddedPostgresSupport.newDatabase("twoinstances");
        try (ConfigurableApplicationContext a = start(url); ConfigurableApplicationContext b = start(url)) {
            JdbcTemplate jdbc = a.getBean(JdbcTemplate.class);
            int n = 300;
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
            JournalRows.pending(jdbc, "fast", "order-created", "fast-order-created", n, now);

            await().atMost(Duration.ofSeconds(90)).until(() ->
                    jdbc.queryForObject("SELECT COUNT(*) FROM message WHERE status = 'delivered'", Long.class) == n);

            List<String> keys = target.getAllServeEvents().stream().map(e -> e.getRequest().getHeader("Idempotency-Key")).toList();
            // A call repeats only after a recorded failed attempt (a timeout on a loaded machine, say); a message
            // claimed by both instances would add a call with no such record, since the loser cannot write its outcome.
            long retries = jdbc.queryForObject("SELECT COUNT(*) FROM delivery_attempt WHERE outcome = 'retry'", Long.class);
            assertThat(keys).doesNotContainNull().hasSize((int) (n + retries));
            assertThat(keys.stream().distinct()).hasSize(n);
            double byA = delivered(a);
            double byB = delivered(b);
            assertThat(byA + byB).isEqualTo(n);
            assertThat(byA).as("instance A took part").isPositive();
            assertThat(byB).as("instance B took part").isPositive();
        }
    }

    private ConfigurableApplicationContext start(String url) {
        return new SpringApplicationBuilder(JunctionApplication.class).run(
                "--server.port=0",
                "--spring.datasource.url=" + url,
                "--spring.datasource.username=postgres",
                "--junction.connectors-dir=src/test/resources/delivery/connectors",
                "--junction.routes-dir=src/test/resources/delivery/routes",
                "--junction.delivery.poll-interval=20ms",
                "--SHOP_ERP_URL=" + target.baseUrl(),
                "--SHOP_ERP_TOKEN=t");
    }

    private static double delivered(ConfigurableApplicationContext context) {
        var counter = context.getBean(MeterRegistry.class).find("junction.messages.delivered").counter();
        return counter == null ? 0 : counter.count();
    }
}
