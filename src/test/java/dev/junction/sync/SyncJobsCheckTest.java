package dev.junction.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.junction.JunctionApplication;
import dev.junction.partner.InvalidConnectorException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.core.NestedExceptionUtils;

/** A SQL job naming a datasource the settings do not declare stops startup, naming the file and the field. */
class SyncJobsCheckTest {

    @TempDir
    Path connectors;

    @Test
    void anUndeclaredDatasourceStopsStartupNamingFileAndField() throws IOException {
        Path file = Files.writeString(connectors.resolve("legacy.yaml"), """
                partner: legacy
                events:
                  order-imported: { route: sync-product }
                syncJobs:
                  orders:
                    event: order-imported
                    source:
                      sql:
                        datasource: erp
                        query: SELECT * FROM orders WHERE :#cursor IS NULL OR (updated_at, id) > (:#cursor, :#id)
                        cursor: updated_at
                        id: id
                """);

        Throwable failure = assertThrows(Throwable.class, () -> new SpringApplicationBuilder(JunctionApplication.class).run(
                "--junction.connectors-dir=" + connectors,
                "--junction.routes-dir=src/test/resources/sync/routes",
                "--spring.datasource.url=jdbc:h2:mem:sync-check-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
                "--server.port=0"));

        Throwable root = NestedExceptionUtils.getRootCause(failure);
        assertThat(root).isInstanceOf(InvalidConnectorException.class);
        assertThat(root.getMessage()).startsWith(file.toAbsolutePath().normalize() + ": /syncJobs/orders/source/sql/datasource: 'erp' is not a declared datasource")
                .contains("JUNCTION_DATASOURCES_ERP_URL");
    }
}
