package dev.junction.erp.mapping;

import java.util.List;

/**
 * One ERP code of a vendor and what it means in Junction (ERP-AGENTS.md, "ERP code mappings").
 *
 * @param type unit, vat, family or subfamily
 * @param active false when the vendor retired the code; the ingest pipeline decides what an inactive mapping means
 */
public record Mapping(String type, String erpCode, String code, String label, boolean active) {

    /** The mapping types, in the order answers list them. */
    static final List<String> TYPES = List.of("unit", "vat", "family", "subfamily");

    /** Whether an import changes this stored mapping into {@code next}: code, label or active flag differ. */
    boolean differsFrom(Mapping next) {
        return !code.equals(next.code) || !java.util.Objects.equals(label, next.label) || active != next.active;
    }
}
