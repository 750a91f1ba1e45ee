package dev.junction;

import java.sql.Connection;
import java.sql.SQLException;

/** What the hand-written JDBC transactions (the journal, the ERP mirror) need to know of a failure, on H2 and PostgreSQL alike. */
public final class SqlErrors {

    private static final String UNIQUE_VIOLATION = "23505";

    private SqlErrors() {}

    /** A unique index refused a row, directly, in a batch's chained exceptions, or as a cause. */
    public static boolean isUniqueViolation(SQLException e) {
        for (SQLException s = e; s != null; s = s.getNextException()) {
            if (UNIQUE_VIOLATION.equals(s.getSQLState())) {
                return true;
            }
        }
        return e.getCause() instanceof SQLException cause && cause != e && isUniqueViolation(cause);
    }

    public static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // The connection is broken; the pool discards it and the transaction is gone with it.
        }
    }
}
