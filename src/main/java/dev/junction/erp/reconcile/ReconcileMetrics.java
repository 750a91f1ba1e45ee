package dev.junction.erp.reconcile;

import dev.junction.erp.mirror.Kind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/**
 * Counters tagged vendor and kind: {@code junction.erp.reconciliation.drifted}, {@code .repaired} and {@code .deleted}
 * (records), and {@code junction.erp.reconciliation.runs} tagged vendor and outcome ({@code ok}, {@code failed},
 * {@code skipped}).
 */
@Component
class ReconcileMetrics {

    private final MeterRegistry meters;

    ReconcileMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    void count(String vendor, Kind kind, int drifted, int repaired, int deleted) {
        counter("junction.erp.reconciliation.drifted", "Records found different from the agent's", vendor, kind).increment(drifted);
        counter("junction.erp.reconciliation.repaired", "Records repaired from the agent's version", vendor, kind).increment(repaired);
        counter("junction.erp.reconciliation.deleted", "Records marked deleted: the agent no longer has them", vendor, kind)
                .increment(deleted);
    }

    void run(String vendor, String outcome) {
        Counter.builder("junction.erp.reconciliation.runs").description("Reconciliation runs by outcome")
                .tag("vendor", vendor).tag("outcome", outcome).register(meters).increment();
    }

    private Counter counter(String name, String description, String vendor, Kind kind) {
        return Counter.builder(name).description(description).tag("vendor", vendor).tag("kind", kind.label()).register(meters);
    }
}
