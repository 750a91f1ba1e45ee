package dev.junction.delivery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.junction.JunctionApplication;
import dev.junction.support.JournalRows;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A backlog (after a target outage, a restart, or more traffic than a lane takes at once) drains at the speed of the
 * partner's lane, not at one claim per poll interval.
 */
class BacklogDrainTest {

    /** Far more than one claim takes (8 threads x 16 ahead): the old poller needed one poll interval per 32 messages. */
    static final int BACKLOG = 3000;

    private final WireMockServer target = new WireMockServer(options().dynamicPort().containerThreads(32));

    @TempDir
    Path data;

    @AfterEach
    void stop() {
        target.stop();
    }

    @Test
    void aBacklogDrainsWithinAFewPollIntervals() {
        target.start();
        target.stubFor(post(urlPathEqualTo("/fast")).willReturn(aResponse().withStatus(200)));
        // A poll interval of 10 s: draining 3,000 messages at one claim per interval would take over 15 minutes; the
        // deadline below allows 6 intervals, so only the quick passes between full polls can meet it.
        try (ConfigurableApplicationContext hub = new SpringApplicationBuilder(JunctionApplication.class).run(
                "--server.port=0",
                "--junction.data-dir=" + data,
                "--junction.connectors-dir=src/test/resources/delivery/connectors",
                "--junction.routes-dir=src/test/resources/delivery/routes",
                "--junction.delivery.poll-interval=10s",
                "--SHOP_ERP_URL=" + target.baseUrl(),
                "--SHOP_ERP_TOKEN=t")) {
            JdbcTemplate jdbc = hub.getBean(JdbcTemplate.class);
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
            JournalRows.pending(jdbc, "fast", "order-created", "fast-order-created", BACKLOG, now);

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                    jdbc.queryForObject("SELECT COUNT(*) FROM message WHERE status = 'delivered'", Long.class) == BACKLOG);

            assertThat(target.getAllServeEvents().stream().map(e -> e.getRequest().getHeader("Idempotency-Key")).distinct())
                    .hasSize(BACKLOG);
            assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM delivery_attempt WHERE outcome = 'delivered'", Long.class))
                    .isEqualTo(BACKLOG);
        }
    }
}
