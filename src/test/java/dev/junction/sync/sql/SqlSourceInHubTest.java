package dev.junction.sync.sql;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.junction.partner.SyncJob;
import dev.junction.support.HubTest;
import dev.junction.sync.Checkpoint;
import dev.junction.sync.PageSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * A hub with a legacy datasource declared: the journal's pool stays the only (primary) DataSource, in Spring and in
 * Camel's registry, and the SQL source reads the legacy database through the hub's own CamelContext.
 */
@TestPropertySource(properties = {
        "junction.datasources.legacy.url=jdbc:h2:mem:hub_legacy;DB_CLOSE_DELAY=-1",
        "junction.datasources.legacy.username=sa",
        "junction.datasources.legacy.password=" + SqlSourceInHubTest.PASSWORD,
})
class SqlSourceInHubTest extends HubTest {

    static final String PASSWORD = "Hub-legacy-s3cret";

    @DynamicPropertySource
    static void journal(DynamicPropertyRegistry registry) throws Exception {
        Path dir = Files.createTempDirectory("junction-h2-syncsql");
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + dir.resolve("junction") + ";WRITE_DELAY=0");
    }

    @Autowired
    ApplicationContext context;

    @Autowired
    CamelContext camel;

    @Autowired
    SqlDatasources datasources;

    @Autowired
    MeterRegistry meters;

    @Test
    void theJournalKeepsTheOnlyDataSourceAndTheSqlSourceReadsTheLegacyDatabase() throws Exception {
        try (var c = DriverManager.getConnection("jdbc:h2:mem:hub_legacy;DB_CLOSE_DELAY=-1", "sa", PASSWORD);
             var s = c.createStatement()) {
            s.execute("CREATE TABLE orders (id BIGINT PRIMARY KEY, updated_at TIMESTAMP NOT NULL)");
            s.execute("INSERT INTO orders VALUES (1, TIMESTAMP '2026-11-30 10:00:00'), (2, TIMESTAMP '2026-11-30 10:00:00')");
        }
        assertThat(datasources.declared("legacy")).isTrue();
        PageSource sql = context.getBeansOfType(PageSource.class).values().stream()
                .filter(p -> p.reads(new SyncJob.SqlSource("legacy", "q", 1, "c", "i"))).findFirst().orElseThrow();
        SyncJob job = SqlPageSourceContract.job(SqlPageSourceContract.CONTRACT_QUERY, 10, "updated_at");

        assertThat(sql.fetch(null, job, Checkpoint.START).records()).extracting(r -> r.id() + "@" + r.cursor())
                .containsExactly("1@2026-11-30T10:00:00.000000Z", "2@2026-11-30T10:00:00.000000Z");

        Map<String, DataSource> springDataSources = context.getBeansOfType(DataSource.class);
        assertThat(springDataSources).hasSize(1);
        assertThat(((HikariDataSource) springDataSources.values().iterator().next()).getJdbcUrl()).startsWith("jdbc:h2:file:");
        assertThat(camel.getRegistry().findByType(DataSource.class)).hasSize(1);
        assertThat(messages()).isZero();   // the journal's own schema, on the journal's pool
        assertThat(camel.getEndpoints()).allSatisfy(e -> assertThat(e.getEndpointUri()).doesNotContain(PASSWORD));
        assertThat(meters.get("hikaricp.connections.max").tag("pool", "junction-ds-legacy").gauge().value()).isEqualTo(4);
    }
}
