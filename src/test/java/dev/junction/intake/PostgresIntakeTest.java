package dev.junction.intake;

import dev.junction.support.EmbeddedPostgresSupport;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The partner API on PostgreSQL (a real server from zonky's embedded binaries), with two journal writers. */
class PostgresIntakeTest extends IntakeContract {

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        String url = EmbeddedPostgresSupport.newDatabase("intake");
        registry.add("spring.datasource.url", () -> url);
        registry.add("spring.datasource.username", () -> "postgres");
        registry.add("junction.journal.writer-threads", () -> "2");
    }
}
