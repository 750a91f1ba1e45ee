package dev.junction.intake;

import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The partner API on the embedded default: an H2 file committed with WRITE_DELAY=0. */
class H2IntakeTest extends IntakeContract {

    @DynamicPropertySource
    static void h2(DynamicPropertyRegistry registry) throws Exception {
        Path dir = Files.createTempDirectory("junction-h2-intake");
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + dir.resolve("junction") + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE");
    }
}
