package dev.junction.erp.mirror;

import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Reads {@code updatedAt}: ISO-8601 with an offset. The common shapes ({@code 2026-11-30T09:15:00+01:00},
 * {@code 2026-11-30T08:15:00.123Z}) are read by hand, since DateTimeFormatter took an eighth of a batch's time; anything
 * else goes to the formatter, which also decides what is invalid. Either way the result is the formatter's.
 */
final class Timestamps {

    private Timestamps() {}

    /** The instant with its offset; throws DateTimeParseException when the text is not ISO-8601 with an offset. */
    static OffsetDateTime parse(String text) {
        OffsetDateTime fast = fast(text);
        return fast != null ? fast : OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }

    /** {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}](Z|±HH:MM)}, or null to let the formatter decide. */
    static OffsetDateTime fast(String s) {
        int n = s.length();
        if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return null;
        }
        int i = 19;
        int nanos = 0;
        if (s.charAt(i) == '.') {
            int digits = 0;
            for (i++; i < n && digits < 9 && isDigit(s.charAt(i)); i++, digits++) {
                nanos = nanos * 10 + (s.charAt(i) - '0');
            }
            if (digits == 0) {
                return null;
            }
            for (int d = digits; d < 9; d++) {
                nanos *= 10;
            }
        }
        ZoneOffset offset;
        if (i == n - 1 && s.charAt(i) == 'Z') {
            offset = ZoneOffset.UTC;
        } else if (i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && s.charAt(i + 3) == ':') {
            int hours = number(s, i + 1, 2);
            int minutes = number(s, i + 4, 2);
            if (hours < 0 || minutes < 0) {
                return null;
            }
            int seconds = hours * 3600 + minutes * 60;
            offset = ofSeconds(s.charAt(i) == '-' ? -seconds : seconds);
            if (offset == null) {
                return null;
            }
        } else {
            return null;
        }
        int year = number(s, 0, 4);
        int month = number(s, 5, 2);
        int day = number(s, 8, 2);
        int hour = number(s, 11, 2);
        int minute = number(s, 14, 2);
        int second = number(s, 17, 2);
        if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) {
            return null;
        }
        try {
            return OffsetDateTime.of(year, month, day, hour, minute, second, nanos, offset);
        } catch (DateTimeException e) {
            throw new DateTimeParseException("Invalid date-time: " + e.getMessage(), s, 0);
        }
    }

    private static ZoneOffset ofSeconds(int seconds) {
        try {
            return ZoneOffset.ofTotalSeconds(seconds);
        } catch (DateTimeException e) {
            return null;
        }
    }

    /** The unsigned decimal of {@code length} digits at {@code from}, or -1. */
    private static int number(String s, int from, int length) {
        int value = 0;
        for (int i = from; i < from + length; i++) {
            char c = s.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
