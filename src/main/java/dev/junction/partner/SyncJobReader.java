package dev.junction.partner;

import com.fasterxml.jackson.databind.JsonNode;
import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.scheduling.support.CronExpression;

/**
 * Reads one schema-valid {@code syncJobs.<job>} entry, checking what the schema cannot: the event and target exist
 * on this partner, the cron and JSONPaths parse, the query binds the checkpoint by name. Datasources are settings,
 * checked once the hub's settings are bound (sync.SyncJobsCheck).
 */
final class SyncJobReader {

    private static final Duration DEFAULT_DELAY = Duration.ofMinutes(1);

    private final String file;
    private final String at;
    private final JsonNode job;
    private final JsonNode descriptor;

    SyncJobReader(String file, String at, JsonNode job, JsonNode descriptor) {
        this.file = file;
        this.at = at;
        this.job = job;
        this.descriptor = descriptor;
    }

    SyncJob read(String id) {
        String event = job.get("event").asText();
        if (!descriptor.path("events").has(event)) {
            throw InvalidConnectorException.at(file, at + "/event", "'" + event + "' is not an event of this partner (events section)");
        }
        SyncJob.Source source = source(job.get("source"));
        boolean kafka = source instanceof SyncJob.KafkaSource;
        if (kafka && job.has("schedule")) {
            throw InvalidConnectorException.at(file, at + "/schedule", "a kafka source consumes continuously and has no schedule");
        }
        if (kafka && job.has("lookback")) {
            throw InvalidConnectorException.at(file, at + "/lookback", "a kafka source has no cursor to look back from");
        }
        return new SyncJob(id, kafka ? null : schedule(),
                job.path("maxBacklog").asInt(SyncJob.DEFAULT_MAX_BACKLOG), event,
                job.has("lookback") ? duration(job.get("lookback").asText(), at + "/lookback") : Duration.ZERO,
                source);
    }

    private SyncJob.Schedule schedule() {
        JsonNode s = job.get("schedule");
        if (s == null) {
            return new SyncJob.Schedule(DEFAULT_DELAY, null);
        }
        if (s.isTextual()) {
            Duration d = duration(s.asText(), at + "/schedule");
            if (d.isZero()) {
                throw InvalidConnectorException.at(file, at + "/schedule", "must be longer than 0");
            }
            return new SyncJob.Schedule(d, null);
        }
        String cron = s.get("cron").asText();
        try {
            CronExpression.parse(cron);
        } catch (IllegalArgumentException e) {
            throw InvalidConnectorException.at(file, at + "/schedule/cron", "'" + cron + "' is not a cron expression "
                    + "(six fields: second minute hour day month weekday): " + e.getMessage());
        }
        return new SyncJob.Schedule(null, cron);
    }

    private SyncJob.Source source(JsonNode source) {
        if (source.has("http")) {
            JsonNode h = source.get("http");
            String where = at + "/source/http";
            String target = h.get("target").asText();
            if (!descriptor.path("targets").has(target)) {
                throw InvalidConnectorException.at(file, where + "/target", "'" + target + "' is not a target of this partner (targets section)");
            }
            Map<String, String> params = new LinkedHashMap<>();
            h.path("params").fields().forEachRemaining(p -> params.put(p.getKey(), p.getValue().asText()));
            return new SyncJob.HttpSource(target, h.path("path").asText(""), Map.copyOf(params),
                    h.path("pageSize").asInt(SyncJob.DEFAULT_PAGE_SIZE),
                    jsonPath(h, where, "records"), jsonPath(h, where, "cursor"), jsonPath(h, where, "id"));
        }
        if (source.has("sql")) {
            JsonNode q = source.get("sql");
            String query = q.get("query").asText();
            for (String name : new String[] {":#cursor", ":#id"}) {
                if (!query.contains(name)) {
                    throw InvalidConnectorException.at(file, at + "/source/sql/query", "must bind the checkpoint with the named parameter "
                            + name + " (named parameters only: :#cursor, :#id, :#pageSize)");
                }
            }
            if (query.matches("(?s).*(?<![:#\\w])\\?.*")) {
                throw InvalidConnectorException.at(file, at + "/source/sql/query", "uses a positional '?' parameter; use :#cursor, :#id and :#pageSize");
            }
            return new SyncJob.SqlSource(q.get("datasource").asText(), query, q.path("pageSize").asInt(SyncJob.DEFAULT_PAGE_SIZE),
                    q.get("cursor").asText(), q.get("id").asText());
        }
        JsonNode k = source.get("kafka");
        return new SyncJob.KafkaSource(k.get("topic").asText(), k.get("groupId").asText());
    }

    private String jsonPath(JsonNode parent, String where, String field) {
        String path = parent.get(field).asText();
        try {
            JsonPath.compile(path);
        } catch (InvalidPathException | IllegalArgumentException e) {
            throw InvalidConnectorException.at(file, where + "/" + field, "'" + path + "' is not a JSONPath: " + e.getMessage());
        }
        return path;
    }

    private Duration duration(String text, String where) {
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw InvalidConnectorException.at(file, where, e.getMessage());
        }
    }
}
