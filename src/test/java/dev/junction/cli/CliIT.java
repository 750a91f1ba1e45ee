package dev.junction.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar runs a command and exits, with no hub started: no Spring log line, no port, just the answer. */
class CliIT {

    @TempDir
    Path temp;

    @Test
    void validateRunsFromTheJarWithoutStartingTheHub() throws Exception {
        Run run = jar(Path.of("").toAbsolutePath(), Map.of(), "validate");

        assertThat(run.code()).isZero();
        assertThat(run.out()).isEqualTo("2 connectors, 8 routes valid\n");
        assertThat(run.err()).isEmpty();
        System.out.println("java -jar junction.jar validate: " + run.wall().toMillis() + " ms wall");
    }

    @Test
    void aBrokenConnectorFromTheEnvironmentExits1WithItsLine() throws Exception {
        CliRun.shippedFilesIn(temp);
        Path demo = temp.resolve("connectors/demo.yaml");
        Files.writeString(demo, Files.readString(demo).replace("capacity: 100", "capacity: lots"));

        Run run = jar(temp, Map.of("JUNCTION_CONNECTORS_DIR", "connectors"), "validate");

        assertThat(run.code()).isEqualTo(1);
        // Files are named relative to the working directory, as the hub names them.
        assertThat(run.out()).isEqualTo("connectors/demo.yaml: /rateLimit/capacity: string found, integer expected\n");
        assertThat(run.err()).isEqualTo("1 problem in connectors and routes\n");
    }

    @Test
    void aPartnerCreatedFromTheJarPrintsItsKeyOnceAndStoresOnlyTheHash() throws Exception {
        CliRun.shippedFilesIn(temp);

        Run run = jar(temp, Map.of(), "partner", "create", "acme");

        assertThat(run.code()).isZero();
        List<String> keys = run.out().lines().filter(l -> l.startsWith("jk_")).toList();
        assertThat(keys).hasSize(1);
        String file = Files.readString(temp.resolve("connectors/acme.yaml"));
        assertThat(file).contains("sha256: " + CliTest.sha256Hex(keys.get(0))).doesNotContain(keys.get(0));
        assertThat(jar(temp, Map.of(), "validate").out()).isEqualTo("3 connectors, 8 routes valid\n");
    }

    record Run(int code, String out, String err, Duration wall) {}

    private static Run jar(Path workDir, Map<String, String> env, String... args) throws IOException, InterruptedException {
        String jar = Path.of(System.getProperty("junction.jar", "target/junction.jar")).toAbsolutePath().toString();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("cli-out", ".txt");
        Path err = Files.createTempFile("cli-err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("JUNCTION_CONNECTORS_DIR");
        pb.environment().remove("JUNCTION_ROUTES_DIR");
        pb.environment().putAll(env);
        long started = System.nanoTime();
        Process process = pb.start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("the command did not exit: " + String.join(" ", args));
        }
        Duration wall = Duration.ofNanos(System.nanoTime() - started);
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8), wall);
    }
}
