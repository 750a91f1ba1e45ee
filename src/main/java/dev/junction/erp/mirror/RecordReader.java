package dev.junction.erp.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one record's fields into column values, collecting every problem as a {@link FieldProblem} instead of stopping
 * at the first, so an agent fixes a record in one round. Numbers become BigDecimal from the exact decimal text (the
 * batch is parsed with BigDecimal floats), rounded HALF_UP to the column's scale, never through a double.
 */
final class RecordReader {

    static final int MAX_ID = 128;
    private static final int MAX_DECIMALS = 100;
    private static final BigDecimal MONEY_LIMIT = new BigDecimal("1e15");
    private static final BigDecimal QUANTITY_LIMIT = new BigDecimal("1e14");

    private final JsonNode record;
    private final Map<String, Object> columns = new LinkedHashMap<>();
    private final List<FieldProblem> problems = new ArrayList<>();

    RecordReader(JsonNode record) {
        this.record = record;
    }

    List<FieldProblem> problems() {
        return problems;
    }

    Map<String, Object> columns() {
        return columns;
    }

    void problem(String field, String message) {
        problems.add(new FieldProblem(field, message));
    }

    /** A record id: a non-empty string of at most 128 characters, without '/' (it joins stock keys) or control characters. */
    String id(String field, String column) {
        String value = text(field, column, true, MAX_ID);
        if (value != null && value.indexOf('/') >= 0) {
            problem(field, "must not contain '/'");
            return null;
        }
        return value;
    }

    String text(String field, String column, boolean required, int max) {
        JsonNode node = record.get(field);
        String value = null;
        if (node == null || node.isNull()) {
            if (required) {
                problem(field, "is required");
            }
        } else if (!node.isTextual()) {
            problem(field, "must be a string");
        } else if (required && node.textValue().isBlank()) {
            problem(field, "must not be empty");
        } else if (node.textValue().length() > max) {
            problem(field, "must be at most " + max + " characters");
        } else if (hasControlCharacter(node.textValue())) {
            problem(field, "must not contain control characters");
        } else {
            value = node.textValue();
        }
        columns.put(column, value);
        return value;
    }

    /** A plain loop: this runs for every text field of every record of every batch. */
    private static boolean hasControlCharacter(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                return true;
            }
        }
        return false;
    }

    /** Money: 2 decimals, at least 0. */
    BigDecimal money(String field, String column, boolean required) {
        return decimal(field, column, required, BigDecimal.ZERO, 2, false, MONEY_LIMIT);
    }

    /** Quantities and unit costs: 4 decimals. */
    BigDecimal quantity(String field, String column, boolean required, BigDecimal fallback, boolean negative) {
        return decimal(field, column, required, fallback, 4, negative, QUANTITY_LIMIT);
    }

    private BigDecimal decimal(String field, String column, boolean required, BigDecimal fallback, int scale, boolean negative,
                               BigDecimal limit) {
        JsonNode node = record.get(field);
        BigDecimal value = null;
        if (node == null || node.isNull()) {
            if (required) {
                problem(field, "is required");
            } else {
                value = fallback == null ? null : fallback.setScale(scale, RoundingMode.HALF_UP);
            }
        } else if (!node.isNumber()) {
            problem(field, "must be a number");
        } else if (node.decimalValue().scale() > MAX_DECIMALS) {
            // Rounding 1e-999999999 to 4 places would compute 10^999999995 first: refuse such a number outright.
            problem(field, "must have at most " + MAX_DECIMALS + " decimal places");
        } else if (!negative && node.decimalValue().signum() < 0) {
            problem(field, "must be at least 0");
        } else if (node.decimalValue().abs().compareTo(limit) >= 0) {
            problem(field, "must be less than " + limit.toPlainString() + " in absolute value");
        } else {
            value = node.decimalValue().setScale(scale, RoundingMode.HALF_UP);
        }
        columns.put(column, value);
        return value;
    }

    boolean bool(String field, String column, boolean fallback) {
        JsonNode node = record.get(field);
        boolean value = fallback;
        if (node != null && !node.isNull()) {
            if (node.isBoolean()) {
                value = node.booleanValue();
            } else {
                problem(field, "must be true or false");
            }
        }
        columns.put(column, value);
        return value;
    }

    /** An integer among {@code allowed}. */
    int choice(String field, String column, int fallback, int... allowed) {
        JsonNode node = record.get(field);
        int value = fallback;
        if (node != null && !node.isNull()) {
            boolean ok = node.isIntegralNumber() && node.canConvertToInt()
                    && java.util.Arrays.stream(allowed).anyMatch(a -> a == node.intValue());
            if (ok) {
                value = node.intValue();
            } else {
                problem(field, "must be one of " + java.util.Arrays.toString(allowed));
            }
        }
        columns.put(column, value);
        return value;
    }

    /** {@code updatedAt}: required, ISO-8601 with an offset (a local time would be read differently by each side). */
    OffsetDateTime timestamp(String field) {
        JsonNode node = record.get(field);
        if (node == null || node.isNull()) {
            problem(field, "is required");
            return null;
        }
        if (!node.isTextual()) {
            problem(field, "must be an ISO-8601 date-time with an offset, like 2026-11-30T09:15:00+01:00");
            return null;
        }
        try {
            return Timestamps.parse(node.textValue());
        } catch (DateTimeParseException e) {
            problem(field, "must be an ISO-8601 date-time with an offset, like 2026-11-30T09:15:00+01:00");
            return null;
        }
    }
}
