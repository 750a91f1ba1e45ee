package dev.junction.erp.mapping;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an import did; every entry of the export is counted once: imported, updated, unchanged or skipped.
 *
 * @param updated entries whose stored code, label or active flag changed
 * @param byType imported plus updated, per mapping type (every type listed, 0 included)
 */
record ImportReport(int imported, int updated, int unchanged, int skipped, Map<String, Integer> byType,
                    List<ExportReader.Skipped> skippedReasons) {

    /** Counts as a vendor's mappings are diffed, then the report. */
    static final class Tally {
        private int imported;
        private int updated;
        private int unchanged;
        private final Map<String, Integer> byType = new LinkedHashMap<>();

        Tally() {
            Mapping.TYPES.forEach(t -> byType.put(t, 0));
        }

        void imported(Mapping m) {
            imported++;
            byType.merge(m.type(), 1, Integer::sum);
        }

        void updated(Mapping m) {
            updated++;
            byType.merge(m.type(), 1, Integer::sum);
        }

        void unchanged() {
            unchanged++;
        }

        ImportReport report(List<ExportReader.Skipped> skipped) {
            return new ImportReport(imported, updated, unchanged, skipped.size(), byType, skipped);
        }
    }

    /** One line for the ops audit trail. */
    String summary() {
        return "imported " + imported + ", updated " + updated + ", unchanged " + unchanged + ", skipped " + skipped;
    }
}
