package dev.junction.sync;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.Optional;

/**
 * Orders checkpoints the way sources order records: by cursor (as instants when both are timestamps, as numbers when
 * both are numbers, else as text), then by id (numerically when both are integers, else as text).
 */
final class Checkpoints {

    static final Comparator<Checkpoint> ORDER = Comparator
            .comparing(Checkpoint::cursor, Checkpoints::compareValues)
            .thenComparing(Checkpoint::id, Comparator.nullsFirst(Checkpoints::compareValues));

    private Checkpoints() {}

    /** The later of the two; START is before everything. */
    static Checkpoint max(Checkpoint a, Checkpoint b) {
        if (a.isStart()) {
            return b;
        }
        if (b.isStart()) {
            return a;
        }
        return ORDER.compare(a, b) >= 0 ? a : b;
    }

    /**
     * Where a run starts: the checkpoint, or with a lookback and a timestamp cursor, the cursor minus the lookback and
     * no id (every record at that instant is read again; the journal drops versions it has). A number cursor has no
     * time to look back by and starts at the checkpoint.
     */
    static Checkpoint start(Checkpoint stored, Duration lookback) {
        if (stored.isStart() || lookback.isZero()) {
            return stored;
        }
        return instant(stored.cursor()).map(t -> new Checkpoint(t.minus(lookback).toString(), null)).orElse(stored);
    }

    /** A timestamp cursor as an instant: ISO-8601 with Z or an offset, or without one (read as UTC, as the sources do). */
    static Optional<Instant> instant(String cursor) {
        if (cursor == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(cursor).toInstant());
        } catch (DateTimeParseException withoutOffset) {
            try {
                return Optional.of(LocalDateTime.parse(cursor).toInstant(ZoneOffset.UTC));
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        }
    }

    private static int compareValues(String a, String b) {
        Optional<Instant> ta = instant(a);
        Optional<Instant> tb = instant(b);
        if (ta.isPresent() && tb.isPresent()) {
            return ta.get().compareTo(tb.get());
        }
        BigDecimal na = number(a);
        BigDecimal nb = number(b);
        if (na != null && nb != null) {
            return na.compareTo(nb);
        }
        return a.compareTo(b);
    }

    private static BigDecimal number(String s) {
        try {
            return new BigDecimal(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
