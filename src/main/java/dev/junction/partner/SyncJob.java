package dev.junction.partner;

import java.time.Duration;
import java.util.Map;

/**
 * A scheduled pull from one of the partner's sources (SYNC-JOBS.md): every new or changed record becomes a journal
 * message of {@code event}.
 *
 * @param id unique per partner
 * @param schedule when runs start; null for a Kafka source, which consumes continuously
 * @param maxBacklog pulling pauses while the partner has more undelivered messages than this
 * @param lookback how far behind the checkpoint's cursor a run starts re-reading, for sources whose clocks or commits lag
 */
public record SyncJob(String id, Schedule schedule, int maxBacklog, String event, Duration lookback, Source source) {

    public static final int DEFAULT_MAX_BACKLOG = 10_000;
    public static final int DEFAULT_PAGE_SIZE = 500;

    /** Exactly one of {@code fixedDelay} (between the end of a run and the start of the next) and {@code cron} (Spring's six fields). */
    public record Schedule(Duration fixedDelay, String cron) {
        @Override
        public String toString() {
            return cron != null ? "cron " + cron : "every " + fixedDelay;
        }
    }

    /** Where the records come from. */
    public sealed interface Source permits HttpSource, SqlSource, KafkaSource {}

    /**
     * A paged REST API, called through the partner's {@code target} (its url, headers, timeout and breaker).
     *
     * @param params query parameters; {@code ${cursor}}, {@code ${id}} and {@code ${pageSize}} are replaced per page
     * @param records JSONPath to the page's records; {@code cursor} and {@code id} are JSONPaths within a record
     */
    public record HttpSource(String target, String path, Map<String, String> params, int pageSize, String records,
                             String cursor, String id) implements Source {}

    /**
     * A query against {@code junction.datasources.<datasource>} with named parameters {@code :#cursor}, {@code :#id}
     * and {@code :#pageSize}; {@code cursor} and {@code id} name columns.
     */
    public record SqlSource(String datasource, String query, int pageSize, String cursor, String id) implements Source {}

    /** A topic read by a consumer group; offsets are committed only after the journal commit. */
    public record KafkaSource(String topic, String groupId) implements Source {}
}
