package dev.junction.sync.http;

/**
 * A page the source answered that cannot be journaled as it is (not JSON, no records array, a record without a cursor
 * or id, records out of order). The run stops and the checkpoint stays; the message names the job, the JSONPath and the
 * record's index in the page, never a header value.
 */
class BadPageException extends RuntimeException {

    BadPageException(String message) {
        super(message, null, false, false);
    }
}
