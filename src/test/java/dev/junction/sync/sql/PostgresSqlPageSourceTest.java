package dev.junction.sync.sql;

import dev.junction.support.EmbeddedPostgresSupport;
import java.sql.Statement;

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
}
