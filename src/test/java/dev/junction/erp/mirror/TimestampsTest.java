package dev.junction.erp.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The hand-read shapes give exactly what DateTimeFormatter gives, and whatever it refuses stays refused. */
class TimestampsTest {

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-30T09:15:00+01:00", "2026-11-30T08:15:00Z", "2026-11-30T08:15:00.1Z", "2026-11-30T08:15:00.123456789-05:30",
            "2024-02-29T23:59:59+14:00", "0001-01-01T00:00:00-18:00", "2026-11-30T08:15:00.120+00:00"})
    void readsTheCommonShapesAsTheFormatterDoes(String text) {
        assertThat(Timestamps.fast(text)).isNotNull().isEqualTo(OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-02-30T10:00:00Z", "2026-11-30T24:00:00Z", "2026-13-01T10:00:00+01:00", "2026-11-30T10:00:00+19:00",
            "2026-11-30T10:00:00", "2026-11-30 10:00:00Z", "2026-11-30T10:00:00+0100", "yesterday",
            "2026-11-30T10:00:00.1234567890Z", "+2026-11-30T10:00:00Z", "2026-11-30T1a:00:00Z"})
    void refusesWhatTheFormatterRefuses(String text) {
        assertThatThrownBy(() -> OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME)).isInstanceOf(DateTimeParseException.class);
        assertThatThrownBy(() -> Timestamps.parse(text)).isInstanceOf(DateTimeParseException.class);
    }

    @Test
    void agreesWithTheFormatterOnRandomTimestamps() {
        Random random = new Random(42);
        for (int i = 0; i < 5000; i++) {
            OffsetDateTime t = OffsetDateTime.of(1 + random.nextInt(9998), 1 + random.nextInt(12), 1 + random.nextInt(28), random.nextInt(24),
                    random.nextInt(60), random.nextInt(60), random.nextBoolean() ? 0 : random.nextInt(1_000_000_000),
                    java.time.ZoneOffset.ofTotalSeconds((random.nextInt(35) - 17) * 3600 + (random.nextBoolean() ? 0 : 1800)));
            String text = t.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            assertThat(Timestamps.parse(text)).as(text).isEqualTo(OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        }
    }
}
