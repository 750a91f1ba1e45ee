package dev.junction.sync.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.PathNotFoundException;
import com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider;
import com.jayway.jsonpath.spi.mapper.JacksonMappingProvider;
import dev.junction.partner.SyncJob;
import dev.junction.sync.Checkpoint;
import dev.junction.sync.PulledRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Turns a page's JSON body into records: the {@code records} JSONPath must give an array of JSON objects, each with a
 * cursor (an ISO-8601 timestamp string or a number) and an id at their JSONPaths, in cursor order. Anything else is a
 * {@link BadPageException}: journaling part of a page, or a page in the wrong order, would move the checkpoint past
 * records never pulled.
 */
final class PageReader {

    /** Decimals as BigDecimal, exactly as sent: a price of 12.50 stays 12.50 in the message, every digit kept. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final Configuration PATHS = Configuration.builder()
            .jsonProvider(new JacksonJsonNodeJsonProvider(JSON))
            .mappingProvider(new JacksonMappingProvider(JSON))
            .build();
    private static final Map<String, JsonPath> COMPILED = new ConcurrentHashMap<>();
    private static final int SHOWN = 60;

    private final String job;
    private final SyncJob.HttpSource source;

    /** @param job how messages name the job, {@code <partner>/<job>} */
    PageReader(String job, SyncJob.HttpSource source) {
        this.job = job;
        this.source = source;
    }

    List<PulledRecord> read(byte[] body, Checkpoint from) {
        JsonNode records = records(parse(body));
        List<PulledRecord> page = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            JsonNode record = records.get(i);
            if (!record.isObject()) {
                throw bad("record " + i + " of the page is " + kind(record) + ", not a JSON object");
            }
            String cursor = value(record, i, "cursor", source.cursor(), CursorValues::cursor,
                    "neither an ISO-8601 timestamp string nor a number");
            String id = value(record, i, "id", source.id(), CursorValues::id, "neither a non-blank string nor a number");
            String previous = i == 0 ? from.cursor() : page.get(i - 1).cursor();
            if (previous != null && CursorValues.compare(cursor, previous) < 0) {
                throw bad("record " + i + "'s cursor " + cursor + " is before " + (i == 0 ? "the checkpoint's " : "the previous record's ")
                        + previous + ": the source must return records after the cursor, in cursor order, or some would be skipped");
            }
            page.add(new PulledRecord(bytes(record), cursor, id));
        }
        return page;
    }

    private JsonNode parse(byte[] body) {
        try {
            JsonNode root = JSON.readTree(body);
            if (root == null || root.isMissingNode()) {
                throw bad("the page is empty, not JSON");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw bad("the page is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw bad("the page could not be read: " + e.getMessage());
        }
    }

    private JsonNode records(JsonNode root) {
        JsonNode found = find(root, source.records()).orElseThrow(() -> bad("records " + source.records() + " is not in the page"));
        if (!found.isArray()) {
            throw bad("records " + source.records() + " is " + kind(found) + " in the page, not an array");
        }
        return found;
    }

    private String value(JsonNode record, int index, String what, String path, Function<JsonNode, Optional<String>> render,
                         String expected) {
        JsonNode value = find(record, path).filter(v -> !v.isNull())
                .orElseThrow(() -> bad("record " + index + " has no " + what + " at " + path));
        return render.apply(value).orElseThrow(() -> bad("record " + index + "'s " + what + " at " + path + " is " + shown(value)
                + ", " + expected));
    }

    private Optional<JsonNode> find(JsonNode json, String path) {
        JsonPath compiled;
        try {
            compiled = COMPILED.computeIfAbsent(path, JsonPath::compile);
        } catch (InvalidPathException e) {
            throw bad("the JSONPath " + path + " is not valid: " + e.getMessage());
        }
        try {
            return Optional.ofNullable(compiled.read(json, PATHS));
        } catch (PathNotFoundException e) {
            return Optional.empty();
        }
    }

    private static byte[] bytes(JsonNode record) {
        try {
            return JSON.writeValueAsBytes(record);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed record did not serialize", e);
        }
    }

    private static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> "a " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** The value itself when it is short and scalar (record data, never a header), else its kind. */
    private static String shown(JsonNode value) {
        if (value.isValueNode()) {
            String text = value.toString();
            return text.length() <= SHOWN ? text : text.substring(0, SHOWN) + "...";
        }
        return kind(value);
    }

    private BadPageException bad(String problem) {
        return new BadPageException(job + ": " + problem);
    }
}
