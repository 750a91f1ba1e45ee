package dev.junction.erp.mapping;

import java.util.Map;
import java.util.Optional;

/** A vendor's mappings as one batch sees them: a snapshot at one revision, unchanged while the batch runs. */
public final class VendorMappings {

    private final long revision;
    private final Map<Key, Mapping> byCode;

    /** Mappings are unique per (type, erpCode) within a vendor. */
    record Key(String type, String erpCode) {}

    VendorMappings(long revision, Map<Key, Mapping> byCode) {
        this.revision = revision;
        this.byCode = Map.copyOf(byCode);
    }

    /** The mapping of an ERP code, active or not; empty when the vendor has none for it. */
    public Optional<Mapping> find(String type, String erpCode) {
        return Optional.ofNullable(byCode.get(new Key(type, erpCode)));
    }

    long revision() {
        return revision;
    }

    int size() {
        return byCode.size();
    }
}
