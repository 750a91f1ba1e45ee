package dev.junction.sync.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.Optional;

/**
 * A record's cursor and id as the strings a checkpoint and an idempotency key ({@code <id>@<cursor>}) hold. They must
 * come out the same on every read of the same version: a timestamp keeps the source's exact text (re-formatting it could
 * turn {@code .120Z} into {@code .12Z} and make an old version look new), a number becomes its plain decimal text.
 */
final class CursorValues {

    private CursorValues() {}

    /** The cursor's text, or empty when the value is neither an ISO-8601 timestamp string nor a number. */
    static Optional<String> cursor(JsonNode value) {
        if (value.isNumber()) {
            return Optional.of(number(value));
        }
        if (value.isTextual() && timestamp(value.textValue()).isPresent()) {
            return Optional.of(value.textValue());
        }
        return Optional.empty();
    }

    /** The id's text, or empty when it is not a non-blank string or a number. */
    static Optional<String> id(JsonNode value) {
        if (value.isNumber()) {
            return Optional.of(number(value));
        }
        if (value.isTextual() && !value.textValue().isBlank()) {
            return Optional.of(value.textValue());
        }
        return Optional.empty();
    }

    /**
     * A cursor's value for ordering: a timestamp as an instant (one without an offset read as UTC, the same way every
     * time), a number as a decimal; empty for anything else, which is then not compared.
     */
    static Optional<Comparable<?>> order(String cursor) {
        if (cursor == null) {
            return Optional.empty();
        }
        Optional<Instant> time = timestamp(cursor);
        if (time.isPresent()) {
            return Optional.of(time.get());
        }
        try {
            return Optional.of(new BigDecimal(cursor));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Negative, zero or positive as {@code a} orders before, with or after {@code b}; zero when they cannot be compared. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static int compare(String a, String b) {
        Optional<Comparable<?>> x = order(a);
        Optional<Comparable<?>> y = order(b);
        if (x.isEmpty() || y.isEmpty() || x.get().getClass() != y.get().getClass()) {
            return 0;
        }
        return ((Comparable) x.get()).compareTo(y.get());
    }

    static Optional<Instant> timestamp(String text) {
        try {
            TemporalAccessor parsed = DateTimeFormatter.ISO_DATE_TIME.parse(text);
            return Optional.of(parsed.isSupported(ChronoField.OFFSET_SECONDS) ? Instant.from(parsed)
                    : LocalDateTime.from(parsed).toInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** Plain decimal text without exponent or trailing fractional zeros: {@code 1e3} and {@code 1000.0} are both {@code 1000}. */
    private static String number(JsonNode value) {
        if (value.isIntegralNumber()) {
            return value.bigIntegerValue().toString();
        }
        BigDecimal d = value.decimalValue().stripTrailingZeros();
        return d.scale() < 0 ? d.setScale(0).toPlainString() : d.toPlainString();
    }
}
