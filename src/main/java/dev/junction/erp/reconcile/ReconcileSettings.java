package dev.junction.erp.reconcile;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code junction.erp.reconcile.*}: the agent calls' timeouts, the lease a run holds its vendor with (renewed as it
 * goes, so only a crashed or hung instance lets it expire), how often the scheduler looks for vendors due, and how
 * many of a run's requests may be in flight to the agent at once (an agent on the ERP's own server should not see a
 * reconciliation as a flood; 4 takes most of the round trips off a run's time).
 */
@ConfigurationProperties("junction.erp.reconcile")
record ReconcileSettings(@DefaultValue("30s") Duration timeout, @DefaultValue("5s") Duration connectTimeout,
                         @DefaultValue("2m") Duration lease, @DefaultValue("1m") Duration tick,
                         @DefaultValue("4") int parallelism) {}
