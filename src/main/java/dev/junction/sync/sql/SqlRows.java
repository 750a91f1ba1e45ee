package dev.junction.sync.sql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.apache.camel.component.sql.RowMapperFactory;
import org.springframework.jdbc.core.RowMapper;

/**
 * A row as a message body: a JSON object with lower-case column names, timestamps as ISO-8601 UTC, numbers as numbers,
 * NULL as null and binary as base64. Rendered here, with the column types at hand, rather than from the
 * {@code java.sql.Timestamp}s camel-sql's default mapper returns: those carry no zone (a {@code timestamp} and a
 * {@code timestamptz} column look alike) and shift naive times by the JVM's zone.
 */
final class SqlRows implements RowMapperFactory {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter NANOS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

    private final ObjectMapper json;

    SqlRows(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public RowMapper<ObjectNode> newColumnRowMapper() {
        return this::row;
    }

    @Override
    public RowMapper<?> newBeanRowMapper(Class<?> type) {
        throw new UnsupportedOperationException("sync queries map rows to JSON objects only");
    }

    ObjectNode row(ResultSet rs, int rowNum) throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        ObjectNode row = NODES.objectNode();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            row.set(meta.getColumnLabel(i).toLowerCase(Locale.ROOT), value(rs, i, meta.getColumnType(i), meta.getColumnTypeName(i)));
        }
        return row;
    }

    private JsonNode value(ResultSet rs, int i, int type, String typeName) throws SQLException {
        String name = typeName == null ? "" : typeName.toLowerCase(Locale.ROOT);
        if (type == Types.TIMESTAMP_WITH_TIMEZONE || name.equals("timestamptz") || name.contains("with time zone")) {
            OffsetDateTime t = rs.getObject(i, OffsetDateTime.class);
            return t == null ? NODES.nullNode() : NODES.textNode(instant(t.toInstant()));
        }
        if (type == Types.TIMESTAMP) {
            // A timestamp without a zone is taken as UTC (the pool's session runs in UTC, see SqlDatasources).
            LocalDateTime t = rs.getObject(i, LocalDateTime.class);
            return t == null ? NODES.nullNode() : NODES.textNode(instant(t.toInstant(ZoneOffset.UTC)));
        }
        if (type == Types.DATE) {
            LocalDate d = rs.getObject(i, LocalDate.class);
            return d == null ? NODES.nullNode() : NODES.textNode(d.toString());
        }
        switch (type) {
            case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT -> {
                long v = rs.getLong(i);
                return rs.wasNull() ? NODES.nullNode() : NODES.numberNode(v);
            }
            case Types.NUMERIC, Types.DECIMAL -> {
                BigDecimal v = rs.getBigDecimal(i);
                return v == null ? NODES.nullNode() : NODES.numberNode(v);
            }
            case Types.REAL, Types.FLOAT, Types.DOUBLE -> {
                double v = rs.getDouble(i);
                return rs.wasNull() ? NODES.nullNode() : NODES.numberNode(v);
            }
            case Types.BIT, Types.BOOLEAN -> {
                boolean v = rs.getBoolean(i);
                return rs.wasNull() ? NODES.nullNode() : NODES.booleanNode(v);
            }
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> {
                byte[] v = rs.getBytes(i);
                return v == null ? NODES.nullNode() : NODES.binaryNode(v);   // Jackson writes it as base64
            }
            default -> {
                String v = rs.getString(i);
                if (v == null) {
                    return NODES.nullNode();
                }
                if (name.equals("json") || name.equals("jsonb")) {
                    try {
                        return json.readTree(v);
                    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                        return NODES.textNode(v);
                    }
                }
                return NODES.textNode(v);
            }
        }
    }

    /**
     * The one rendering of an instant, on every read: UTC, microseconds (PostgreSQL's precision), nanoseconds only when
     * the value has them. A cursor is half of a record's idempotency key, so a second form of the same time would make
     * a re-read a new message; and a rounded one would make the next page's {@code > :#cursor} return the row again.
     */
    static String instant(Instant t) {
        return (t.getNano() % 1000 == 0 ? MICROS : NANOS).format(t);
    }

    /** A cursor or id value as checkpoint text: strings as they are, numbers in plain decimal, never exponent form. */
    static String text(JsonNode value) {
        if (value.isBigDecimal()) {
            return value.decimalValue().toPlainString();
        }
        return value.asText();   // text as is; integers, doubles and booleans in Java's form; binary as base64
    }
}
