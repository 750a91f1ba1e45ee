package dev.junction.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The packaged hub ({@code target/junction.jar}) as a real process, for tests that kill it. */
public final class HubProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    private HubProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts the jar with the test partners and these extra environment variables, and waits until it is healthy. */
    public static HubProcess start(Path dataDir, Map<String, String> extraEnv) {
        HubProcess hub = launch(dataDir, extraEnv);
        try {
            hub.awaitHealthy();
        } catch (RuntimeException notHealthy) {
            // The caller never gets this handle, so nobody else would stop the process.
            hub.process.destroyForcibly();
            throw notHealthy;
        }
        return hub;
    }

    /** Starts the jar like {@link #start} but returns at once: for starts that are meant to fail. */
    public static HubProcess launch(Path dataDir, Map<String, String> extraEnv) {
        String jar = System.getProperty("junction.jar", "target/junction.jar");
        if (!Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException(jar + " is missing: run the *IT tests through ./mvnw verify, after package");
        }
        int port = freePort();
        try {
            Path log = Files.createTempFile("junction-process", ".log");
            ProcessBuilder pb = new ProcessBuilder(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-jar", jar))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            Map<String, String> env = new HashMap<>(Map.of(
                    "SERVER_PORT", Integer.toString(port),
                    "JUNCTION_DATA_DIR", dataDir.toString(),
                    "JUNCTION_CONNECTORS_DIR", "src/test/resources/it/connectors",
                    "JUNCTION_ROUTES_DIR", "src/test/resources/it/routes",
                    "JUNCTION_OPS_API_KEY", Keys.OPS));
            env.putAll(extraEnv);
            pb.environment().putAll(env);
            return new HubProcess(pb.start(), port, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The exit code, once the process has exited within the deadline; null if it is still running then. */
    public Integer exitCodeWithin(Duration deadline) throws InterruptedException {
        return process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    }

    /** What the process has printed so far (stdout and stderr). */
    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitHealthy() {
        HubClient client = client();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("The hub exited during startup:\n" + Files.readString(log));
            }
            try {
                return client.get("/actuator/health").status() == 200;
            } catch (UncheckedIOException notYet) {
                return false;
            }
        });
    }

    public HubClient client() {
        return new HubClient(port);
    }

    /** False once the process has exited: a test that expects the hub to recover by itself checks it never did. */
    public boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no flush, no goodbye. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            process.waitFor();
        }
    }

    /** A port nothing listens on right now. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
