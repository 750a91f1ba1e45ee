package dev.junction.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.support.HubTest;
import dev.junction.support.Keys;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/** Keys, valid or not, never reach the log, even with the web and hub loggers at DEBUG and Spring Security at TRACE. */
@ExtendWith(OutputCaptureExtension.class)
@TestPropertySource(properties = {"logging.level.dev.junction=DEBUG", "logging.level.org.springframework.web=DEBUG",
        "logging.level.org.springframework.security=TRACE"})
class KeysNeverLoggedTest extends HubTest {

    @DynamicPropertySource
    static void h2(DynamicPropertyRegistry registry) throws Exception {
        var dir = Files.createTempDirectory("junction-keys-log");
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + dir.resolve("junction") + ";WRITE_DELAY=0");
    }

    @Test
    void presentedKeysNeverAppearInTheLog(CapturedOutput output) {
        String wrong = "wrong-key-" + System.nanoTime();
        hub().postJson("/webhooks/acme/order-updated", "{}", "X-API-Key", Keys.ACME);
        hub().postJson("/webhooks/acme/order-updated", "{", "Authorization", "Bearer " + Keys.ACME);
        hub().postJson("/webhooks/acme/order-updated", "{}", "X-API-Key", wrong);
        hub().postJson("/webhooks/acme/order-updated", "{}", "X-API-Key", Keys.ACME_EXPIRED);
        hub().postJson("/webhooks/acme/order-updated", "{}", "X-API-Key", Keys.GLOBEX);
        hub().get("/ops/partners", "X-API-Key", Keys.OPS);

        assertThat(output.getAll()).contains("/webhooks/acme/order-updated")
                .doesNotContain(Keys.ACME, wrong, Keys.ACME_EXPIRED, Keys.GLOBEX, Keys.OPS);
    }
}
