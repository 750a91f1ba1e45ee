package dev.junction.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.partner.Partner;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RetryScheduleTest {

    static final Partner.RetryPolicy POLICY = new Partner.RetryPolicy(8, Duration.ofSeconds(5), 4, Duration.ofHours(2), 0.2);

    @Test
    void delaysGrowGeometricallyWithinTheJitterBandAndStopAtMaxDelay() {
        RandomGenerator random = new SplittableRandom(42);
        for (int n = 1; n <= 8; n++) {
            double planned = Math.min(Duration.ofHours(2).toMillis(), 5000 * Math.pow(4, n - 1));
            for (int i = 0; i < 1000; i++) {
                long ms = RetrySchedule.after(n, POLICY, random).toMillis();
                assertThat(ms).as("attempt %d", n).isBetween((long) Math.floor(planned * 0.8), (long) Math.ceil(planned * 1.2));
            }
        }
    }

    @Test
    void jitterSpreadsDelaysAcrossTheWholeBand() {
        RandomGenerator random = new SplittableRandom(7);
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 2000; i++) {
            long ms = RetrySchedule.after(1, POLICY, random).toMillis();
            min = Math.min(min, ms);
            max = Math.max(max, ms);
        }
        assertThat(min).isLessThan(4100);
        assertThat(max).isGreaterThan(5900);
    }

    @Test
    void withoutJitterTheScheduleIsExact() {
        Partner.RetryPolicy exact = new Partner.RetryPolicy(5, Duration.ofMillis(100), 2, Duration.ofMillis(500), 0);
        RandomGenerator random = new SplittableRandom(1);
        assertThat(RetrySchedule.after(1, exact, random)).isEqualTo(Duration.ofMillis(100));
        assertThat(RetrySchedule.after(2, exact, random)).isEqualTo(Duration.ofMillis(200));
        assertThat(RetrySchedule.after(3, exact, random)).isEqualTo(Duration.ofMillis(400));
        assertThat(RetrySchedule.after(4, exact, random)).isEqualTo(Duration.ofMillis(500));
        assertThat(RetrySchedule.after(60, exact, random)).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void retryAfterIsHonouredButCappedByMaxDelay() {
        assertThat(RetrySchedule.retryAfter(Duration.ofSeconds(30), POLICY)).isEqualTo(Duration.ofSeconds(30));
        assertThat(RetrySchedule.retryAfter(Duration.ofDays(1), POLICY)).isEqualTo(Duration.ofHours(2));
    }
}
