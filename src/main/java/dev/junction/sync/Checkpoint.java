package dev.junction.sync;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * Where a job resumes: the last journaled record's cursor value and tiebreaker id, as strings whatever the source's
 * types (a timestamp as ISO-8601 UTC, a number as its decimal text). Both null before the first page.
 */
public record Checkpoint(String cursor, String id) {

    public static final Checkpoint START = new Checkpoint(null, null);

    @JsonIgnore
    public boolean isStart() {
        return cursor == null;
    }
}
