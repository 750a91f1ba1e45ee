package dev.junction.erp.mirror;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Steps 2 to 4 of the pipeline for a whole batch, with no I/O: given the records (validated and hashed), what is
 * stored for their keys and the vendor's mappings, decides each record's status, what to insert and update, and which
 * changes to emit. Records are taken in input order; a key repeated in one batch is compared with its earlier version.
 */
final class Plan {

    /** A created or updated record, for the change feed. */
    record Change(Prepared record, String change) {}

    final List<RecordResult> results = new ArrayList<>();
    final List<Change> changes = new ArrayList<>();
    /** The last version of each key to write, and whether its row exists already (with the hash read). */
    private final Map<String, Prepared> writes = new LinkedHashMap<>();
    private final Map<String, String> expectedHash = new HashMap<>();

    private boolean guardTimestamps = true;

    private Plan() {}

    /**
     * @param liveItems for stock: the keys of the vendor's live items among those the batch names (else ignored)
     * @param liveWarehouses likewise for warehouses
     */
    static Plan of(Kind kind, List<Prepared> records, Map<String, MirrorStore.Stored> stored, CodeBook codes,
                   Set<String> liveItems, Set<String> liveWarehouses) {
        return of(kind, records, stored, codes, liveItems, liveWarehouses, true);
    }

    /**
     * @param guardTimestamps false for a reconciliation's repair: the agent's version wins even when its updatedAt is
     *                        older than the stored one (step 3 is skipped, every other step runs)
     */
    static Plan of(Kind kind, List<Prepared> records, Map<String, MirrorStore.Stored> stored, CodeBook codes,
                   Set<String> liveItems, Set<String> liveWarehouses, boolean guardTimestamps) {
        Plan plan = new Plan();
        plan.guardTimestamps = guardTimestamps;
        Map<String, MirrorStore.Stored> current = new HashMap<>(stored);
        for (Prepared p : records) {
            plan.results.add(plan.decide(kind, p, current, stored, codes, liveItems, liveWarehouses));
        }
        return plan;
    }

    private RecordResult decide(Kind kind, Prepared p, Map<String, MirrorStore.Stored> current, Map<String, MirrorStore.Stored> stored,
                                CodeBook codes, Set<String> liveItems, Set<String> liveWarehouses) {
        if (!p.valid()) {
            return result(p, RecordResult.REJECTED, p.problems(), List.of());
        }
        MirrorStore.Stored now = current.get(p.key());
        // A deleted record the agent sends again comes back, even unchanged.
        if (now != null && !now.deleted() && now.hash().equals(p.hash())) {
            return result(p, RecordResult.UNCHANGED, List.of(), List.of());
        }
        if (guardTimestamps && now != null && p.updatedAt().isBefore(now.erpUpdatedAt())) {
            return result(p, RecordResult.STALE, List.of(), List.of());
        }
        List<FieldProblem> errors = new ArrayList<>();
        List<FieldProblem> warnings = new ArrayList<>();
        if (kind == Kind.ITEM) {
            Mapping.check(p, codes, errors, warnings);
        } else if (kind == Kind.STOCK) {
            if (!liveWarehouses.contains(p.keyParts().get(0))) {
                errors.add(new FieldProblem("warehouseErpId", "no warehouse " + p.keyParts().get(0) + " in the mirror; send it first"));
            }
            if (!liveItems.contains(p.keyParts().get(1))) {
                errors.add(new FieldProblem("itemErpId", "no item " + p.keyParts().get(1) + " in the mirror; send it first"));
            }
        }
        if (!errors.isEmpty()) {
            return result(p, RecordResult.REJECTED, errors, List.of());
        }
        String status = now == null ? RecordResult.CREATED : RecordResult.UPDATED;
        current.put(p.key(), new MirrorStore.Stored(p.hash(), p.updatedAt(), false));
        writes.put(p.key(), p);
        MirrorStore.Stored before = stored.get(p.key());
        if (before != null) {
            expectedHash.put(p.key(), before.hash());
        }
        changes.add(new Change(p, status));
        return result(p, status, List.of(), warnings);
    }

    private static RecordResult result(Prepared p, String status, List<FieldProblem> errors, List<FieldProblem> warnings) {
        return new RecordResult(p.index(), p.key(), status, List.copyOf(errors), List.copyOf(warnings));
    }

    List<Prepared> inserts() {
        return writes.values().stream().filter(p -> !expectedHash.containsKey(p.key())).toList();
    }

    List<Prepared> updates() {
        return writes.values().stream().filter(p -> expectedHash.containsKey(p.key())).toList();
    }

    Map<String, String> expectedHashes() {
        return expectedHash;
    }

    long count(String status) {
        return results.stream().filter(r -> r.status().equals(status)).count();
    }
}
