package dev.junction.sync.sql;

/**
 * A SQL source's failure, its message naming the datasource (and the job's field, for a bad row) and the database's
 * own words; never the password. The run stops and the checkpoint stays.
 */
public class SqlSourceException extends RuntimeException {

    SqlSourceException(String message, Throwable cause) {
        super(message, cause);
    }

    SqlSourceException(String message) {
        super(message);
    }
}
