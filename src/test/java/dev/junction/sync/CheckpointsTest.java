package dev.junction.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How checkpoints order, and where a lookback starts. */
class CheckpointsTest {

    @Test
    void timestampsCompareAsInstantsWhateverTheirOffsetOrPrecision() {
        assertThat(Checkpoints.ORDER.compare(new Checkpoint("2026-11-30T10:00:00Z", "b"), new Checkpoint("2026-11-30T11:00:00+01:00", "a")))
                .as("same instant, then by id").isPositive();
        assertThat(Checkpoints.ORDER.compare(new Checkpoint("2026-11-30T10:00:00.5Z", "a"), new Checkpoint("2026-11-30T10:00:00.123456Z", "z")))
                .isPositive();
        assertThat(Checkpoints.ORDER.compare(new Checkpoint("2026-11-30T10:00:00", "a"), new Checkpoint("2026-11-30T10:00:00Z", "a")))
                .as("no offset reads as UTC").isZero();
    }

    @Test
    void numbersCompareAsNumbersAndIntegerIdsNumerically() {
        assertThat(Checkpoints.ORDER.compare(new Checkpoint("10", "1"), new Checkpoint("9", "1"))).isPositive();
        assertThat(Checkpoints.ORDER.compare(new Checkpoint("5", "10"), new Checkpoint("5", "9"))).isPositive();
        assertThat(Checkpoints.ORDER.compare(new Checkpoint("5", null), new Checkpoint("5", "0"))).as("no id is before every id").isNegative();
    }

    @Test
    void maxNeverMovesBackAndStartIsBeforeEverything() {
        Checkpoint a = new Checkpoint("2026-11-30T10:00:00Z", "a");
        Checkpoint b = new Checkpoint("2026-11-30T10:00:00Z", "b");
        assertThat(Checkpoints.max(a, b)).isEqualTo(b);
        assertThat(Checkpoints.max(b, a)).isEqualTo(b);
        assertThat(Checkpoints.max(Checkpoint.START, a)).isEqualTo(a);
        assertThat(Checkpoints.max(a, Checkpoint.START)).isEqualTo(a);
    }

    @Test
    void aLookbackStartsBehindATimestampCursorWithoutAnIdAndNotBehindANumber() {
        assertThat(Checkpoints.start(new Checkpoint("2026-11-30T10:00:00+01:00", "7"), Duration.ofMinutes(2)))
                .isEqualTo(new Checkpoint("2026-11-30T08:58:00Z", null));
        assertThat(Checkpoints.start(new Checkpoint("42", "7"), Duration.ofMinutes(2))).isEqualTo(new Checkpoint("42", "7"));
        assertThat(Checkpoints.start(Checkpoint.START, Duration.ofMinutes(2))).isEqualTo(Checkpoint.START);
        assertThat(Checkpoints.start(new Checkpoint("2026-11-30T10:00:00Z", "7"), Duration.ZERO)).isEqualTo(new Checkpoint("2026-11-30T10:00:00Z", "7"));
    }
}
