package dev.junction.erp.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.partner.Partner;
import dev.junction.partner.PartnerRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Imports a mapping export: all of it in one transaction, each vendor's stored mappings loaded once and diffed in
 * memory, new and changed ones written in one batch each, and the revision of every vendor that changed bumped in
 * the same transaction so that the next batch on any instance sees the change.
 */
@Component
class MappingImport {

    private final MappingStore store;
    private final Mappings mappings;
    private final PartnerRegistry partners;
    private final TransactionTemplate tx;
    private final Clock clock;

    MappingImport(MappingStore store, Mappings mappings, PartnerRegistry partners, TransactionTemplate tx, Clock clock) {
        this.store = store;
        this.mappings = mappings;
        this.partners = partners;
        this.tx = tx;
        this.clock = clock;
    }

    /** @param actor the ops key id, for the audit trail */
    ImportReport run(JsonNode export, String actor) {
        ExportReader.Read read = ExportReader.read(export, vendorIds());
        // Sorted: concurrent imports lock vendors in the same order and so never deadlock each other.
        List<String> vendors = read.byVendor().keySet().stream().sorted().toList();
        vendors.forEach(store::createRevisionRow);
        ImportReport report = tx.execute(status -> {
            Instant now = clock.instant();
            ImportReport.Tally tally = new ImportReport.Tally();
            for (String vendor : vendors) {
                apply(vendor, read.byVendor().get(vendor), tally, now);
            }
            ImportReport done = tally.report(read.skipped());
            store.audit(now, actor, done.summary());
            return done;
        });
        vendors.forEach(mappings::invalidate);
        return report;
    }

    private void apply(String vendor, Map<VendorMappings.Key, Mapping> incoming, ImportReport.Tally tally, Instant now) {
        store.lockRevision(vendor);
        Map<VendorMappings.Key, Mapping> stored = store.mappings(vendor);
        List<Mapping> inserts = new ArrayList<>();
        List<Mapping> updates = new ArrayList<>();
        incoming.forEach((key, next) -> {
            Mapping current = stored.get(key);
            if (current == null) {
                inserts.add(next);
                tally.imported(next);
            } else if (current.differsFrom(next)) {
                updates.add(next);
                tally.updated(next);
            } else {
                tally.unchanged();
            }
        });
        if (inserts.isEmpty() && updates.isEmpty()) {
            return;
        }
        store.insert(vendor, inserts, now);
        store.update(vendor, updates, now);
        store.bumpRevision(vendor);
    }

    /** Export vendorId to partner id: descriptors guarantee each vendorId names one vendor. */
    private Map<String, String> vendorIds() {
        return partners.all().stream().filter(p -> p.agent() != null)
                .collect(Collectors.toMap(p -> p.agent().vendorId(), Partner::id));
    }
}
