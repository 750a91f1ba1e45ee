package dev.junction;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Derives settings that depend on the Junction folders, before any bean is built.
 *
 * <p>Folders are made absolute against the working directory so that Camel's file pattern and H2's file URL
 * (which rejects implicitly relative paths) mean the same thing wherever the hub is started from.
 * The embedded H2 default commits with {@code WRITE_DELAY=0}: H2's default delay loses about a second of
 * acknowledged messages on kill -9. {@link LogSettings} become Spring Boot's logging settings.
 */
class JunctionEnvironment implements EnvironmentPostProcessor {

    static final String SOURCE = "junctionDerived";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
        Map<String, Object> derived = new HashMap<>();
        Path routes = absolute(env.getProperty("junction.routes-dir", "routes"));
        derived.put("camel.main.routes-include-pattern", "file:" + routes + "/*.yaml");
        if (!env.containsProperty("spring.datasource.url")) {
            Path data = absolute(env.getProperty("junction.data-dir", "data"));
            derived.put("spring.datasource.url",
                    "jdbc:h2:file:" + data.resolve("junction") + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE");
            derived.put("spring.datasource.username", "sa");
            derived.put("spring.datasource.hikari.exception-override-class-name", H2ClosedDatabase.class.getName());
        }
        logging(env, derived);
        env.getPropertySources().addLast(new MapPropertySource(SOURCE, derived));
    }

    /** {@link LogSettings}: JSON lines, and the per-message lines, before the logging system starts. */
    private static void logging(ConfigurableEnvironment env, Map<String, Object> derived) {
        if ("json".equals(env.getProperty("junction.log.format"))) {
            derived.put("logging.structured.format.console", "ecs");
            // A route continuing on another thread (an async component's callback) keeps the message's fields.
            derived.put("camel.main.use-mdc-logging", "true");
            derived.put("camel.main.mdc-logging-keys-pattern", String.join(",", MessageMdc.RECEIPT_ID, MessageMdc.PARTNER,
                    MessageMdc.EVENT, MessageMdc.CORRELATION_ID));
        }
        if ("true".equalsIgnoreCase(env.getProperty("junction.log.messages"))) {
            derived.put("logging.level.dev.junction.intake.IntakeFilter", "debug");
            derived.put("logging.level.dev.junction.delivery.DeliveryLog", "debug");
        }
    }

    static Path absolute(String dir) {
        return Path.of(dir).toAbsolutePath().normalize();
    }
}
