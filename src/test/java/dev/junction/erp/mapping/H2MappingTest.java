package dev.junction.erp.mapping;

import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

class H2MappingTest extends MappingContract {

    @DynamicPropertySource
    static void h2(DynamicPropertyRegistry registry) throws Exception {
        Path dir = Files.createTempDirectory("junction-h2-mappings");
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + dir.resolve("junction") + ";WRITE_DELAY=0");
    }
}
