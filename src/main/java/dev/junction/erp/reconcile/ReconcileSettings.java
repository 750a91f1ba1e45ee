package dev.junction.erp.reconcile;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code junction.erp.reconcile.*}: the agent calls' timeouts, the lease a run holds its vendor with (renewed as it
 * goes, so only a crashed or hung instance lets it expire), and how often the scheduler looks for vendors due.
 */
@ConfigurationProperties("junction.erp.reconcile")
record ReconcileSettings(@DefaultValue("30s") Duration timeout, @DefaultValue("5s") Duration connectTimeout,
                         @DefaultValue("2m") Duration lease, @DefaultValue("1m") Duration tick) {}
