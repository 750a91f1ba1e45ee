package dev.junction.partner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
            "500ms, PT0.5S",
            "5s,    PT5S",
            "10m,   PT10M",
            "2h,    PT2H",
            "1d,    PT24H",
            "0s,    PT0S",
            "PT5S,  PT5S",
            "PT1H30M, PT1H30M",
            "P1D,   PT24H"})
    void parsesShortFormsAndIso8601(String text, String expected) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.parse(expected));
    }

    @Test
    void readsTheLargestShortFormWithoutOverflow() {
        assertThat(Durations.parse("999999999999d")).isEqualTo(Duration.ofDays(999_999_999_999L));
    }

    @ParameterizedTest
    @ValueSource(strings = {"5 s", "abc", "5y", "P1Y", "1.5s", "5", "", "99999999999999999999h", "PT99999999999999999999H"})
    void rejectsWhatIsNotADurationNamingTheValue(String text) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Durations.parse(text))
                .withMessage("'" + text + "' is not a duration (use 500ms, 5s, 10m, 2h, 1d or ISO-8601 like PT5S)");
    }

    @Test
    void rejectsNegativeDurationsNamingTheValue() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Durations.parse("-PT1S"))
                .withMessage("'-PT1S' is negative");
    }
}
