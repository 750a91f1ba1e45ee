package dev.junction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.support.HubProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hub that cannot start must exit, non-zero and within seconds, so that a supervisor sees the failure and restarts
 * it (issue 10, item 5: a route it could not build left the packaged hub running for an hour, no port open, its
 * delivery poller spinning). Each start fails at a different stage: the routes (Camel, after the lifecycle beans
 * started their threads), the connector files, the database.
 */
class StartupFailureIT {

    private static final Duration REPORTED_WITHIN = Duration.ofSeconds(120);
    private static final Duration EXIT_WITHIN = Duration.ofSeconds(30);
    /** Spring Boot's report of a failed start: a failure analysis, or the exception. */
    private static final Pattern FAILED = Pattern.compile("APPLICATION FAILED TO START|Application run failed");

    @TempDir
    Path temp;

    @Test
    void exitsWhenARouteCannotBeBuilt() throws Exception {
        Path routes = copyOf(Path.of("src/test/resources/it/routes"), temp.resolve("routes"));
        // Passes the hub's own checks (a shipped component), but Camel cannot build the endpoint: an option it lacks.
        Files.writeString(routes.resolve("acme-order-created.yaml"), """
                - route:
                    id: acme-order-created
                    from:
                      uri: direct:acme-order-created
                      steps:
                        - to:
                            uri: direct:elsewhere?noSuchOption=true
                """);

        String log = assertExitsNonZero(Map.of("JUNCTION_ROUTES_DIR", routes.toString()));

        assertThat(log).contains("Failed to create route: acme-order-created").contains("noSuchOption");
    }

    @Test
    void exitsWhenAConnectorFileIsInvalid() throws Exception {
        Path connectors = Files.createDirectories(temp.resolve("connectors"));
        Path file = Files.writeString(connectors.resolve("acme.yaml"), """
                partner: acme
                apiKeys:
                  - id: primary
                    sha256: 904fc520be4ca9db80d0ffcc6bf7e01b4148e33d45bb6b422ad2e607815fb508
                rateLimit: { capacity: lots, refillPerSecond: 50 }
                events:
                  order-created:
                    route: acme-order-created
                """);

        String log = assertExitsNonZero(Map.of("JUNCTION_CONNECTORS_DIR", connectors.toString()));

        assertThat(log).contains(file.toAbsolutePath().normalize() + ": /rateLimit/capacity: string found, integer expected");
    }

    @Test
    void exitsWhenTheDatabaseIsUnreachable() throws Exception {
        int closed = HubProcess.freePort();

        String log = assertExitsNonZero(Map.of("SPRING_DATASOURCE_URL", "jdbc:postgresql://127.0.0.1:" + closed + "/x"));

        assertThat(log).contains("Connection to 127.0.0.1:" + closed + " refused");
    }

    /**
     * Starts the packaged hub, which must report the failure and then exit with a non-zero code in time; returns its
     * output. The clock starts at the report, not at the launch: on this shared 2-core machine the start itself (JVM,
     * Spring, Flyway) took from 10 s to over 30 s before anything could fail, depending on what else ran.
     */
    private String assertExitsNonZero(Map<String, String> env) throws Exception {
        try (HubProcess hub = HubProcess.launch(Files.createDirectories(temp.resolve("data")), env)) {
            await().atMost(REPORTED_WITHIN).pollInterval(Duration.ofMillis(100))
                    .until(() -> !hub.alive() || FAILED.matcher(hub.output()).find());
            Integer code = hub.exitCodeWithin(EXIT_WITHIN);
            String log = hub.output();
            assertThat(code).as("exit code within %s of the failure; the hub's output:%n%s", EXIT_WITHIN, log).isNotNull().isNotZero();
            assertThat(log).containsPattern(FAILED);
            return log;
        }
    }

    private static Path copyOf(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }
}
