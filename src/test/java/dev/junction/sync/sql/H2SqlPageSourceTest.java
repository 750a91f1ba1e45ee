package dev.junction.sync.sql;

import java.sql.Statement;

/** A second H2 database, in memory, beside nothing of the hub's: the source reads it as a user that may only select. */
class H2SqlPageSourceTest extends SqlPageSourceContract {

    @Override
    String adminUrl() {
        return "jdbc:h2:mem:legacy_sql;DB_CLOSE_DELAY=-1";
    }

    @Override
    String readerUrl() {
        return "jdbc:h2:mem:legacy_sql";   // a reader may not set DB_CLOSE_DELAY; the admin's setting keeps the database
    }

    @Override
    String adminUser() {
        return "sa";
    }

    @Override
    String readerUser() {
        return "reader";
    }

    @Override
    void grantReader(Statement admin, String table) throws Exception {
        admin.execute("CREATE USER IF NOT EXISTS reader PASSWORD '" + PASSWORD + "'");
        admin.execute("GRANT SELECT ON " + table + " TO reader");
    }

    @Override
    String binaryType() {
        return "VARBINARY(16)";
    }

    @Override
    String missingTable() {
        return "NO_SUCH_TABLE";
    }
}
