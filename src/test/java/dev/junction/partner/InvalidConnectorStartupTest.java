package dev.junction.partner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.junction.JunctionApplication;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.NestedExceptionUtils;

/** The hub refuses to start on an invalid descriptor and says why in one line. */
@ExtendWith(OutputCaptureExtension.class)
class InvalidConnectorStartupTest {

    @TempDir
    Path connectors;

    @Test
    void refusesToStartWithAnInvalidDescriptorAndPrintsItsOneLine(CapturedOutput output) throws IOException {
        Path file = Files.writeString(connectors.resolve("acme.yaml"), """
                partner: acme
                apiKeys:
                  - id: primary
                    sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
                rateLimit: { capacity: lots, refillPerSecond: 50 }
                events:
                  order-created:
                    route: demo-order-created
                """);
        String expected = file.toAbsolutePath().normalize() + ": /rateLimit/capacity: string found, integer expected";

        // Command-line arguments, not default properties, so that JUNCTION_* variables in the environment cannot override them.
        Throwable failure = assertThrows(Throwable.class, () -> new SpringApplicationBuilder(JunctionApplication.class).run(
                "--junction.connectors-dir=" + connectors,
                "--junction.routes-dir=routes",
                "--spring.datasource.url=jdbc:h2:mem:bad-connector-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
                "--server.port=0"));

        Throwable root = NestedExceptionUtils.getRootCause(failure);
        assertThat(root).isInstanceOf(InvalidConnectorException.class).hasMessage(expected);

        FailureAnalysis analysis = new InvalidConnectorFailureAnalyzer().analyze(failure);
        assertThat(analysis).isNotNull();
        assertThat(analysis.getDescription()).isEqualTo(expected);
        assertThat(analysis.getAction()).contains("connectors/connector.schema.json");
        assertThat(analysis.getCause()).isSameAs(root);

        // Registered in spring.factories: Spring Boot prints the analysis instead of a bean-creation stack trace.
        assertThat(output.getAll())
                .contains("APPLICATION FAILED TO START")
                .contains("Description:" + System.lineSeparator() + System.lineSeparator() + expected + System.lineSeparator());
    }
}
