package dev.junction.intake;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.support.HubClient.Res;
import dev.junction.support.HubTest;
import dev.junction.support.Keys;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The intake filter serves exactly {@code POST /webhooks/{partner}/{event}} on plain segments and leaves every other
 * request to Spring MVC; what it answers looks like what the controller answered, metrics included.
 */
class IntakeFilterTest extends HubTest {

    @DynamicPropertySource
    static void h2(DynamicPropertyRegistry registry) throws Exception {
        Path dir = Files.createTempDirectory("junction-intake-filter");
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + dir.resolve("junction") + ";WRITE_DELAY=0");
    }

    @Test
    void takesPlainPartnerAndEventSegments() {
        assertThat(IntakeFilter.partnerAndEvent("/webhooks/acme/order-created")).containsExactly("acme", "order-created");
        assertThat(IntakeFilter.partnerAndEvent("/webhooks/a_b.c~d/E-1")).containsExactly("a_b.c~d", "E-1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/webhooks", "/webhooks/", "/webhooks/acme", "/webhooks/acme/", "/webhooks//order-created",
            "/webhooks/acme/order-created/", "/webhooks/acme/receipts/x", "/webhooks/acme/a%2Fb", "/webhooks/acme/x;v=1",
            "/webhooks/../order-created", "/webhooks/acme/..", "/webhooksx/acme/order-created", "/ops/acme/x", "/webhooks/ac me/x"})
    void leavesEveryOtherPathToSpringMvc(String uri) {
        assertThat(IntakeFilter.partnerAndEvent(uri)).isNull();
    }

    @Test
    void answersLikeTheControllerAndIsMeasuredUnderItsPattern() {
        Res res = hub().postJson("/webhooks/acme/order-created", IntakeContract.ORDER, "X-API-Key", Keys.ACME,
                "Idempotency-Key", "filter-" + System.nanoTime());

        assertThat(res.status()).isEqualTo(202);
        assertThat(res.header("Content-Type")).hasValue("application/json");
        String receipt = res.json().path("receiptId").asText();
        assertThat(res.json().path("status").asText()).isEqualTo("accepted");
        assertThat(res.header("Location")).hasValue("/webhooks/acme/receipts/" + receipt);
        assertThat(res.header("RateLimit")).isPresent();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM message WHERE receipt_id = ?", Long.class, receipt)).isEqualTo(1);

        Res metric = hub().get("/actuator/metrics/http.server.requests?tag=uri:/webhooks/%7Bpartner%7D/%7Bevent%7D&tag=status:202",
                "X-API-Key", Keys.OPS);
        assertThat(metric.status()).as(metric.toString()).isEqualTo(200);
        assertThat(metric.json().path("measurements").get(0).path("value").asDouble()).isPositive();
    }

    @Test
    void otherMethodsOnTheIntakePathStillGetSpringMvcs405() {
        Res res = hub().get("/webhooks/acme/order-created", "X-API-Key", Keys.ACME);

        assertThat(res.status()).isEqualTo(405);
        assertThat(res.header("Allow")).hasValueSatisfying(allow -> assertThat(allow).contains("POST"));
        assertThat(res.header("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
    }
}
