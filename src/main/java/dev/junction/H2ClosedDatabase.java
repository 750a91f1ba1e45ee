package dev.junction;

import com.zaxxer.hikari.SQLExceptionOverride;
import java.sql.SQLException;

/**
 * Makes the pool drop connections to an embedded H2 database that has closed itself (H2 closes the whole database
 * after an OutOfMemoryError, for one). Their errors do not look like broken connections to Hikari, so it kept
 * handing them out and intake answered 503 until a restart; a fresh connection opens the database file again.
 */
public class H2ClosedDatabase implements SQLExceptionOverride {

    /** DATABASE_IS_CLOSED and DATABASE_CALLED_AT_SHUTDOWN. */
    private static final int CLOSED = 90098;
    private static final int AT_SHUTDOWN = 90121;

    @java.lang.Override // the interface's nested enum is called Override too
    public SQLExceptionOverride.Override adjudicate(SQLException e) {
        for (SQLException s = e; s != null; s = s.getNextException()) {
            if (s.getErrorCode() == CLOSED || s.getErrorCode() == AT_SHUTDOWN) {
                return SQLExceptionOverride.Override.MUST_EVICT;
            }
        }
        return SQLExceptionOverride.Override.CONTINUE_EVICT;
    }
}
