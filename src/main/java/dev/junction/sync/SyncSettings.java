package dev.junction.sync;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code junction.sync.*}.
 *
 * @param enabled whether this instance runs scheduled jobs (ops API and checkpoints work either way)
 * @param tick how often the scheduler looks for jobs due; a due job starts within one tick
 * @param lease how long a run holds its job without renewing; renewed before every page, so only a crashed or hung
 *              instance lets it expire. Longer than any source's timeout.
 * @param workers runs in progress at once on this instance
 * @param runRetention how long finished runs stay in the history
 */
@ConfigurationProperties("junction.sync")
public record SyncSettings(@DefaultValue("true") boolean enabled, @DefaultValue("1s") Duration tick,
                           @DefaultValue("2m") Duration lease, @DefaultValue("4") int workers,
                           @DefaultValue("7d") Duration runRetention) {}
