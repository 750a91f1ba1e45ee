package dev.junction.sync;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Per job (tags partner, job): {@code junction.sync.records} by outcome ({@code journaled}, {@code duplicate}),
 * {@code junction.sync.pages}, {@code junction.sync.errors} (failed runs), and the gauge {@code junction.sync.lag}
 * in seconds: now minus the checkpoint's cursor when it is a time (NaN before the first timestamped page).
 */
@Component
public class SyncMetrics {

    private final MeterRegistry meters;
    private final Clock clock;
    private final Map<String, Instant> cursors = new ConcurrentHashMap<>();

    SyncMetrics(MeterRegistry meters, Clock clock) {
        this.meters = meters;
        this.clock = clock;
    }

    void page(String partner, String job, int records, SyncJournal.Result result, Checkpoint checkpoint) {
        Tags tags = Tags.of("partner", partner, "job", job);
        Counter.builder("junction.sync.pages").description("Pages pulled and committed").tags(tags).register(meters).increment();
        records(partner, job, result);
        Checkpoints.instant(checkpoint.cursor()).ifPresent(t -> cursor(partner, job, t));
    }

    /** Also used by sources that commit without pages (Kafka). */
    public void records(String partner, String job, SyncJournal.Result result) {
        Tags tags = Tags.of("partner", partner, "job", job);
        Counter.builder("junction.sync.records").description("Records pulled, by whether they were new versions")
                .tags(tags).tag("outcome", "journaled").register(meters).increment(result.journaled());
        Counter.builder("junction.sync.records").description("Records pulled, by whether they were new versions")
                .tags(tags).tag("outcome", "duplicate").register(meters).increment(result.duplicates());
    }

    public void error(String partner, String job) {
        Counter.builder("junction.sync.errors").description("Runs ended by a source or journal failure")
                .tags("partner", partner, "job", job).register(meters).increment();
    }

    /** Registers the lag gauge for the job (once) and records its checkpoint's time. */
    void cursor(String partner, String job, Instant cursor) {
        String key = partner + "/" + job;
        if (cursors.put(key, cursor) == null) {
            Gauge.builder("junction.sync.lag", cursors, m -> lagSeconds(m.get(key)))
                    .description("Seconds between now and the checkpoint's cursor, when the cursor is a time")
                    .baseUnit("seconds").tags("partner", partner, "job", job).register(meters);
        }
    }

    private double lagSeconds(Instant cursor) {
        return cursor == null ? Double.NaN : Math.max(0, clock.millis() - cursor.toEpochMilli()) / 1000.0;
    }
}
