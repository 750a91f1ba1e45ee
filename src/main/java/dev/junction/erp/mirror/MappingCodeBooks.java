package dev.junction.erp.mirror;

import dev.junction.erp.mapping.Mappings;
import dev.junction.erp.mapping.VendorMappings;
import org.springframework.stereotype.Component;

/** The pipeline's code books are the vendor's ERP code mappings, one revision-checked snapshot per batch. */
@Component
class MappingCodeBooks implements CodeBooks {

    private final Mappings mappings;

    MappingCodeBooks(Mappings mappings) {
        this.mappings = mappings;
    }

    @Override
    public CodeBook of(String vendor) {
        VendorMappings snapshot = mappings.of(vendor);
        return (type, erpCode) -> snapshot.find(type, erpCode)
                .map(m -> new CodeBook.Code(m.erpCode(), m.code(), m.label(), m.active()));
    }
}
