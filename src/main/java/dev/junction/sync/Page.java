package dev.junction.sync;

import java.util.List;

/**
 * The records a source returned for one request, in (cursor, id) order.
 *
 * @param last true when the page was shorter than the page size: the run ends after committing it
 */
public record Page(List<PulledRecord> records, boolean last) {}
