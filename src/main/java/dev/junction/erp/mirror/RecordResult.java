package dev.junction.erp.mirror;

import java.util.List;

/**
 * What the pipeline did with one record: {@code created}, {@code updated}, {@code unchanged}, {@code stale} or
 * {@code rejected}, with the problems that rejected it and the warnings it was stored with.
 */
record RecordResult(int index, String key, String status, List<FieldProblem> errors, List<FieldProblem> warnings) {

    static final String CREATED = "created";
    static final String UPDATED = "updated";
    static final String UNCHANGED = "unchanged";
    static final String STALE = "stale";
    static final String REJECTED = "rejected";
}
