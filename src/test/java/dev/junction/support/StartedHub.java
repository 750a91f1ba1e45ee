package dev.junction.support;

import dev.junction.JunctionApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The hub of {@link HubTest} (same test partners, fresh H2 file, random port), started by the test itself: for test
 * engines without Spring's JUnit Jupiter extension, such as jqwik.
 */
public final class StartedHub implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    private StartedHub(ConfigurableApplicationContext context) {
        this.context = context;
    }

    public static StartedHub start() {
        try {
            var data = Files.createTempDirectory("junction-started-hub");
            return new StartedHub(new SpringApplicationBuilder(JunctionApplication.class).run(
                    "--server.port=0", "--junction.data-dir=" + data,
                    "--" + HubTest.CONNECTORS, "--" + HubTest.ROUTES, "--" + HubTest.OPS_KEY));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public HubClient client() {
        return new HubClient(((WebServerApplicationContext) context).getWebServer().getPort());
    }

    public long messages() {
        return context.getBean(JdbcTemplate.class).queryForObject("SELECT COUNT(*) FROM message", Long.class);
    }

    @Override
    public void close() {
        context.close();
    }
}
