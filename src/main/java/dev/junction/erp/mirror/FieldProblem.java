package dev.junction.erp.mirror;

/** What is wrong with one field of a record: {@code {"field","message"}} in a batch result. */
record FieldProblem(String field, String message) {}
