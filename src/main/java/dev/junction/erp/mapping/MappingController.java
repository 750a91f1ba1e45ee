package dev.junction.erp.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.intake.PayloadReader;
import dev.junction.partner.Partner;
import dev.junction.partner.PartnerRegistry;
import dev.junction.problem.ProblemException;
import dev.junction.problem.ProblemType;
import dev.junction.security.Caller;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Ops over ERP code mappings: import a vendor export (admin), list and resolve (read). */
@RestController
class MappingController {

    /** The shipped export of one vendor is 30 KB; 16 MiB holds thousands of vendors' codes and still bounds the heap. */
    static final int MAX_IMPORT_BYTES = 16 * 1024 * 1024;

    private final MappingImport importer;
    private final MappingStore store;
    private final Mappings mappings;
    private final PartnerRegistry partners;

    MappingController(MappingImport importer, MappingStore store, Mappings mappings, PartnerRegistry partners) {
        this.importer = importer;
        this.store = store;
        this.mappings = mappings;
        this.partners = partners;
    }

    record Resolved(String code, String label, boolean active) {}

    @PostMapping("/ops/erp/mappings/import")
    ImportReport importExport(HttpServletRequest request) throws IOException {
        PayloadReader.requireJson(request.getContentType());
        byte[] body = PayloadReader.readBounded(request.getContentLengthLong(), request.getInputStream(), MAX_IMPORT_BYTES,
                "the mapping import limit");
        JsonNode export = PayloadReader.parse(body);
        if (!export.isArray()) {
            throw new ProblemException(ProblemType.MALFORMED_REQUEST,
                    "The export must be a JSON array of mappings, not " + export.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        return importer.run(export, Caller.of(request).map(Caller::keyId).orElse("unknown"));
    }

    @GetMapping("/ops/erp/mappings")
    List<MappingStore.Row> list(@RequestParam(required = false) String vendor, @RequestParam(required = false) String type) {
        if (vendor != null) {
            requireVendor(vendor);
        }
        if (type != null) {
            requireType(type);
        }
        return store.list(vendor, type);
    }

    @GetMapping("/ops/erp/mappings/resolve")
    Resolved resolve(@RequestParam String vendor, @RequestParam String type, @RequestParam String erpCode) {
        requireVendor(vendor);
        requireType(type);
        Mapping m = mappings.of(vendor).find(type, erpCode).orElseThrow(() -> new ProblemException(ProblemType.NOT_FOUND,
                "Vendor '" + vendor + "' has no " + type + " mapping for ERP code '" + PayloadReader.abbreviate(erpCode) + "'"));
        return new Resolved(m.code(), m.label(), m.active());
    }

    private void requireVendor(String vendor) {
        if (partners.find(vendor).flatMap(Partner::agentSpec).isEmpty()) {
            throw new ProblemException(ProblemType.NOT_FOUND, "No ERP vendor '" + PayloadReader.abbreviate(vendor) + "'");
        }
    }

    private static void requireType(String type) {
        if (!Mapping.TYPES.contains(type)) {
            throw new ProblemException(ProblemType.MALFORMED_REQUEST,
                    "type '" + PayloadReader.abbreviate(type) + "' is not one of " + String.join(", ", Mapping.TYPES));
        }
    }
}
