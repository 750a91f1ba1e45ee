package dev.junction.sync.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.support.EmbeddedPostgresSupport;
import dev.junction.sync.Checkpoint;
import dev.junction.sync.sql.DatasourceSettings.Datasource;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A second PostgreSQL database on the tests' embedded server. */
class PostgresSqlPageSourceTest extends SqlPageSourceContract {

    private static String url;

    @Override
    String adminUrl() {
        if (url == null) {
            url = EmbeddedPostgresSupport.newDatabase("legacy_sql");
        }
        return url;
    }

    @Override
    String adminUser() {
        return "postgres";
    }

    @Override
    String readerUser() {
        return "postgres";   // zonky's server trusts local connections: the password is sent, never checked
    }

    @Override
    void grantReader(Statement admin, String table) {
        // the reader is the admin here; the pool's read-only mode is what refuses writes (see readOnlyRefusesWrites)
    }

    @Override
    String binaryType() {
        return "BYTEA";
    }

    @Override
    String missingTable() {
        return "no_such_table";
    }

    /** PostgreSQL can sleep (H2 cannot): a page's query that runs past queryTimeout is cancelled, and says so. */
    static final String SLOW_QUERY = """
            SELECT * FROM orders WHERE (SELECT COUNT(*) FROM pg_sleep(2)) = 1 AND (CAST(:#cursor AS TIMESTAMP) IS NULL
               OR updated_at > :#cursor OR (updated_at = :#cursor AND id > :#id))
            ORDER BY updated_at, id FETCH FIRST :#pageSize ROWS ONLY""";

    @Test
    void aQueryRunningPastTheQueryTimeoutIsCancelled() throws Exception {
        insertOrders();
        source.destroy();
        datasources.destroy();
        use(settings(Duration.ofSeconds(1)));

        assertThatThrownBy(() -> source.fetch(null, job(SLOW_QUERY, 10, "updated_at"), Checkpoint.START))
                .isInstanceOf(SqlSourceException.class)
                .hasMessageStartingWith("datasource legacy: ")
                .hasMessageContaining("canceling statement")
                .hasMessageEndingWith("(queryTimeout PT1S)")
                .satisfies(SqlPageSourceContract::assertNoPassword);
    }

    @Test
    void theSameSlowQueryPassesUnderTheDefaultTimeout() throws Exception {
        // the control for the test above: what cancels it is the setting, not the query
        insertOrders();

        assertThat(source.fetch(null, job(SLOW_QUERY, 10, "updated_at"), Checkpoint.START).records()).hasSize(10);
    }

    static final String WRITING_QUERY = """
            UPDATE orders SET customer = 'overwritten' WHERE CAST(:#cursor AS TIMESTAMP) IS NULL OR id > CAST(:#id AS BIGINT)
            RETURNING id, updated_at""";

    @Test
    void readOnlyConnectionsRefuseWrites() throws Exception {
        insertOrders();

        assertThatThrownBy(() -> source.fetch(null, job(WRITING_QUERY, 100, "updated_at"), Checkpoint.START))
                .isInstanceOf(SqlSourceException.class)
                .hasMessageContaining("read-only transaction");
        try (var c = adminConnection(); var s = c.createStatement();
             var rs = s.executeQuery("SELECT COUNT(*) FROM orders WHERE customer = 'overwritten'")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }

    @Test
    void aWritableDatasourceRunsTheSameQuery() throws Exception {
        // the control for the test above: readOnly: false lets the write through, so read-only is what refused it
        insertOrders();
        source.destroy();
        datasources.destroy();
        Datasource ro = settings(Duration.ofSeconds(30));
        use(new Datasource(ro.url(), ro.username(), ro.password(), 4, 0, ro.connectionTimeout(), ro.validationTimeout(),
                ro.idleTimeout(), ro.maxLifetime(), ro.queryTimeout(), false, null));

        assertThat(source.fetch(null, job(WRITING_QUERY, 100, "updated_at"), Checkpoint.START).records()).hasSize(ROWS);
        assertThatThrownBy(() -> source.fetch(null, job(WRITING_QUERY.replace("RETURNING id, updated_at", ""), 100, "updated_at"),
                Checkpoint.START))
                .isInstanceOf(SqlSourceException.class)
                .hasMessage("datasource legacy: the query returned no rows; it must be a SELECT");
    }

    @Test
    void anUnreachableDatabaseFailsTheFetchWithinTheConnectionTimeout() throws Exception {
        source.destroy();
        datasources.destroy();
        use(new Datasource("jdbc:postgresql://127.0.0.1:1/legacy", "reader", PASSWORD, 4, 0, Duration.ofSeconds(1),
                Duration.ofMillis(500), Duration.ofMinutes(10), Duration.ofMinutes(30), Duration.ofSeconds(30), true, null));

        assertThatThrownBy(() -> source.fetch(null, job(CONTRACT_QUERY, 10, "updated_at"), Checkpoint.START))
                .isInstanceOf(SqlSourceException.class)
                .hasMessageStartingWith("datasource legacy: ")
                .hasMessageContaining("refused")
                .satisfies(SqlPageSourceContract::assertNoPassword);
    }
}
