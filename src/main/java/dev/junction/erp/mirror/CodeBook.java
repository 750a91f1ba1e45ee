package dev.junction.erp.mirror;

import java.util.Optional;

/** A vendor's ERP code mappings as one batch sees them: (type, erpCode) to the hub's code. */
@FunctionalInterface
interface CodeBook {

    Optional<Code> find(String type, String erpCode);

    record Code(String erpCode, String code, String label, boolean active) {}

    CodeBook NONE = (type, erpCode) -> Optional.empty();
}
