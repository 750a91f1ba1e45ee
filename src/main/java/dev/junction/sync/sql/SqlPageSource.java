package dev.junction.sync.sql;

import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.partner.Partner;
import dev.junction.partner.SyncJob;
import dev.junction.sync.Checkpoint;
import dev.junction.sync.Page;
import dev.junction.sync.PageSource;
import dev.junction.sync.PulledRecord;
import dev.junction.sync.sql.DatasourceSettings.Datasource;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.sql.SqlConstants;
import org.apache.camel.component.sql.SqlEndpoint;
import org.apache.camel.component.sql.SqlOutputType;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * A legacy database as a paged source (SYNC-JOBS.md, {@code source.sql}): the job's query runs through camel-sql with
 * the named parameters {@code :#cursor}, {@code :#id} and {@code :#pageSize}, and each row becomes one record.
 *
 * <p>One {@code sql:} endpoint per datasource, built here over its pool (so no DataSource enters Camel's registry,
 * where it could be autowired into other components) and with the job's query in the {@code CamelSqlQuery} header, so
 * endpoint URIs, which Camel logs, hold neither a query nor a credential.
 */
@Component
public class SqlPageSource implements PageSource, DisposableBean {

    private static final Pattern INTEGER = Pattern.compile("-?\\d{1,18}");
    private static final Pattern DECIMAL = Pattern.compile("-?\\d+(\\.\\d+)?");
    private static final Pattern CURSOR_PARAM = Pattern.compile(":#cursor\\b");
    private static final Pattern ID_PARAM = Pattern.compile(":#id\\b");
    private static final String POSTGRES_QUERY_CANCELED = "57014";

    private final SqlDatasources datasources;
    private final CamelContext camel;
    private final ObjectMapper json = JsonMapper.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();
    private final SqlRows rows = new SqlRows(json);
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
    private volatile ProducerTemplate producer;

    public SqlPageSource(SqlDatasources datasources, CamelContext camel) {
        this.datasources = datasources;
        this.camel = camel;
    }

    /**
     * For startup validation: what is wrong with a job's query, if anything. Every query needs {@code :#cursor} and
     * {@code :#id}: without them a run cannot resume from its checkpoint, or would skip records sharing a cursor value.
     */
    public static Optional<String> problemWith(SyncJob.SqlSource source) {
        String query = source.query();
        if (query == null || query.isBlank()) {
            return Optional.of("the query is empty");
        }
        List<String> missing = new ArrayList<>();
        if (!CURSOR_PARAM.matcher(query).find()) {
            missing.add(":#cursor");
        }
        if (!ID_PARAM.matcher(query).find()) {
            missing.add(":#id");
        }
        if (missing.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("the query does not use " + String.join(" and ", missing)
                + ": it must select the rows after (:#cursor, :#id), ordered by the cursor column then the id column"
                + " (both parameters are NULL on the first run)");
    }

    @Override
    public boolean reads(SyncJob.Source source) {
        return source instanceof SyncJob.SqlSource;
    }

    @Override
    public Page fetch(Partner partner, SyncJob job, Checkpoint from) {
        SyncJob.SqlSource source = (SyncJob.SqlSource) job.source();
        Map<String, Object> parameters = parameters(from, source.pageSize());
        Exchange done = producer().send(endpoint(source.datasource()), exchange -> {
            exchange.getIn().setBody(parameters);
            exchange.getIn().setHeader(SqlConstants.SQL_QUERY, source.query());
        });
        if (done.getException() != null) {
            throw failure(source.datasource(), done.getException());
        }
        if (!(done.getMessage().getBody() instanceof List<?> result)) {
            // an UPDATE without RETURNING: camel-sql leaves the parameters as the body
            throw new SqlSourceException("datasource " + source.datasource() + ": the query returned no rows; it must be a SELECT");
        }
        List<PulledRecord> records = new ArrayList<>(result.size());
        for (Object row : result) {
            records.add(record(source, (ObjectNode) row));
        }
        boolean last = records.size() < source.pageSize();
        if (!last && !records.isEmpty() && records.get(records.size() - 1).checkpoint().equals(from)) {
            // the next page would start from the same checkpoint: a query that ignores it would pull this page for ever
            throw new SqlSourceException("datasource " + source.datasource() + ": the query returned a full page ending at its"
                    + " own checkpoint (" + from.cursor() + ", " + from.id() + "); it must select only the rows after"
                    + " (:#cursor, :#id), ordered by " + source.cursor() + ", " + source.id());
        }
        return new Page(records, last);
    }

    private PulledRecord record(SyncJob.SqlSource source, ObjectNode row) {
        String cursor = column(source, row, source.cursor(), "cursor");
        String id = column(source, row, source.id(), "id");
        try {
            return new PulledRecord(json.writeValueAsBytes(row), cursor, id);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SqlSourceException("datasource " + source.datasource() + ": a row could not be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static String column(SyncJob.SqlSource source, ObjectNode row, String column, String field) {
        JsonNode value = row.get(column.toLowerCase(Locale.ROOT));
        if (value == null) {
            throw new SqlSourceException("datasource " + source.datasource() + ": the query's rows have no column " + column
                    + " (source.sql." + field + "); they have " + String.join(", ", (Iterable<String>) row::fieldNames));
        }
        if (value.isNull()) {
            throw new SqlSourceException("datasource " + source.datasource() + ": a row has NULL in column " + column
                    + " (source.sql." + field + "); every row needs a cursor and an id, or it could be skipped or repeated");
        }
        return SqlRows.text(value);
    }

    /** The named parameters; a HashMap because {@code :#cursor} and {@code :#id} are NULL on the first run. */
    static Map<String, Object> parameters(Checkpoint from, int pageSize) {
        Map<String, Object> parameters = new HashMap<>();
        parameters.put("cursor", cursorParameter(from.cursor()));
        parameters.put("id", from.id());
        parameters.put("pageSize", pageSize);
        return parameters;
    }

    /**
     * The checkpoint's cursor typed as the column it is compared with: a number as a number, an ISO-8601 time as a UTC
     * {@link OffsetDateTime} (compared with a {@code TIMESTAMP} column in the session's time zone, which the pool sets to
     * UTC, and with a {@code TIMESTAMP WITH TIME ZONE} as an instant), a date as a date. As text, PostgreSQL refuses the
     * comparison with a timestamp and H2 would compare strings with a number.
     */
    static Object cursorParameter(String cursor) {
        if (cursor == null) {
            return null;
        }
        if (INTEGER.matcher(cursor).matches()) {
            return Long.parseLong(cursor);
        }
        if (DECIMAL.matcher(cursor).matches()) {
            return new BigDecimal(cursor);
        }
        try {
            return OffsetDateTime.parse(cursor).withOffsetSameInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException notWithOffset) {
            // a checkpoint moved by hand may omit the zone: UTC, as rows render
        }
        try {
            return LocalDateTime.parse(cursor).atOffset(ZoneOffset.UTC);
        } catch (DateTimeParseException notLocal) {
            // next form
        }
        try {
            return LocalDate.parse(cursor);
        } catch (DateTimeParseException notDate) {
            return cursor;
        }
    }

    private Endpoint endpoint(String datasource) {
        return endpoints.computeIfAbsent(datasource, name -> {
            Datasource settings = datasources.settings(name);
            JdbcTemplate jdbc = new JdbcTemplate(datasources.pool(name));
            jdbc.setQueryTimeout(Math.toIntExact(Math.max(1, (settings.queryTimeout().toMillis() + 999) / 1000)));
            String uri = "sql:junction-sync-" + name;
            SqlEndpoint endpoint = new SqlEndpoint(uri, camel.getComponent("sql"));
            endpoint.setQuery("junction-sync-" + name);   // never run: each exchange carries its job's query
            endpoint.setJdbcTemplate(jdbc);
            endpoint.setRowMapperFactory(rows);
            endpoint.setOutputType(SqlOutputType.SelectList);
            endpoint.setAllowNamedParameters(true);
            endpoint.setUsePlaceholder(true);
            endpoint.setPlaceholder("#");
            try {
                camel.addEndpoint(uri, endpoint);
            } catch (Exception e) {
                throw new SqlSourceException("datasource " + name + ": could not start its sql endpoint: " + e.getMessage(), e);
            }
            return endpoint;
        });
    }

    private ProducerTemplate producer() {
        ProducerTemplate p = producer;
        if (p == null) {
            synchronized (this) {
                if (producer == null) {
                    producer = camel.createProducerTemplate();
                }
                p = producer;
            }
        }
        return p;
    }

    /** The database's own words, with the datasource's name; the password is cut out should a driver ever echo it. */
    private SqlSourceException failure(String datasource, Throwable failure) {
        SQLException sql = null;
        Throwable root = failure;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException e) {
                sql = e;
            }
            root = t;
        }
        String message = sql != null ? sql.getMessage() : root.getMessage();
        if (message == null) {
            message = root.getClass().getSimpleName();
        }
        Datasource settings = datasources.settings(datasource);
        if (sql instanceof SQLTimeoutException || (sql != null && POSTGRES_QUERY_CANCELED.equals(sql.getSQLState()))) {
            message += " (queryTimeout " + settings.queryTimeout() + ")";
        }
        String password = settings.password();
        if (password != null && !password.isEmpty() && echoes(failure, password)) {
            // the cause's messages would print it with any stack trace
            return new SqlSourceException("datasource " + datasource + ": " + message.replace(password, "****"));
        }
        return new SqlSourceException("datasource " + datasource + ": " + message, failure);
    }

    private static boolean echoes(Throwable failure, String password) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains(password)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void destroy() throws Exception {
        if (producer != null) {
            producer.close();
        }
    }
}
