package dev.junction.erp.mirror;

import static dev.junction.erp.mirror.ValidationTest.ITEM;
import static dev.junction.erp.mirror.ValidationTest.item;
import static dev.junction.erp.mirror.ValidationTest.itemWith;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Steps 2 to 4 without a database: the status of each record against what is stored. */
class PlanTest {

    static final CodeBook CODES = (type, erpCode) -> switch (type + ":" + erpCode) {
        case "unit:KG" -> Optional.of(new CodeBook.Code("KG", "unit_kg_rm", "KILOGRAMME", true));
        case "vat:V55" -> Optional.of(new CodeBook.Code("V55", "vat_55", "5,5 %", true));
        case "vat:V20" -> Optional.of(new CodeBook.Code("V20", "vat_20", "20 %", false));
        case "family:FRU" -> Optional.of(new CodeBook.Code("FRU", "fruits", "Fruits", true));
        default -> Optional.empty();
    };

    static Plan plan(Map<String, MirrorStore.Stored> stored, Prepared... records) {
        return Plan.of(Kind.ITEM, List.of(records), stored, CODES, Set.of(), Set.of());
    }

    static MirrorStore.Stored stored(Prepared p, String updatedAt, boolean deleted) {
        return new MirrorStore.Stored(p.hash(), OffsetDateTime.parse(updatedAt), deleted);
    }

    @Test
    void aNewRecordIsCreatedWithAWarningForItsUnmappedSubfamily() {
        Plan plan = plan(Map.of(), item(ITEM));
        assertThat(plan.results).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo("created");
            assertThat(r.warnings()).containsExactly(new FieldProblem("subfamily", "no mapping for subfamily POM; stored without a subfamily code"));
        });
        assertThat(plan.inserts()).hasSize(1);
        assertThat(plan.updates()).isEmpty();
        assertThat(plan.changes).extracting(Plan.Change::change).containsExactly("created");
    }

    @Test
    void theSameContentIsUnchangedWhateverItsTimestamp() {
        Prepared sent = item(ITEM);
        Prepared newer = item(itemWith("updatedAt", "\"2027-01-01T00:00:00Z\""));
        Prepared older = item(itemWith("updatedAt", "\"2020-01-01T00:00:00Z\""));
        Plan plan = plan(Map.of("A1", stored(sent, "2026-11-30T09:00:00Z", false)), sent, newer, older);
        assertThat(plan.results).extracting(RecordResult::status).containsExactly("unchanged", "unchanged", "unchanged");
        assertThat(plan.inserts()).isEmpty();
        assertThat(plan.updates()).isEmpty();
        assertThat(plan.changes).isEmpty();
    }

    @Test
    void anOlderVersionIsStaleAndANewerOneUpdates() {
        Prepared before = item(ITEM);
        Prepared older = item(itemWith("label", "\"Old\"").replace("2026-11-30T10:00:00+01:00", "2026-11-30T08:59:59+01:00"));
        Prepared newer = item(itemWith("label", "\"New\""));
        Map<String, MirrorStore.Stored> stored = Map.of("A1", stored(before, "2026-11-30T09:00:00Z", false));
        Plan plan = plan(stored, older, newer);
        assertThat(plan.results).extracting(RecordResult::status).containsExactly("stale", "updated");
        assertThat(plan.updates()).containsExactly(newer);
        assertThat(plan.expectedHashes()).containsEntry("A1", before.hash());
    }

    @Test
    void unitAndVatMustMapToAnActiveCode() {
        Plan plan = plan(Map.of(), item(itemWith("unit", "\"BAG\"")), item(itemWith("vat", "\"V20\"").replace("A1", "A2")));
        assertThat(plan.results).extracting(RecordResult::status).containsExactly("rejected", "rejected");
        assertThat(plan.results.get(0).errors()).containsExactly(new FieldProblem("unit", "no mapping for unit BAG"));
        assertThat(plan.results.get(1).errors()).containsExactly(new FieldProblem("vat", "the mapping for vat V20 is inactive"));
        assertThat(plan.inserts()).isEmpty();
    }

    @Test
    void aKeyRepeatedInOneBatchIsComparedWithItsEarlierVersion() {
        Prepared first = item(ITEM);
        Prepared second = item(itemWith("label", "\"Second\""));
        Plan plan = plan(Map.of(), first, first, second);
        assertThat(plan.results).extracting(RecordResult::status).containsExactly("created", "unchanged", "updated");
        assertThat(plan.inserts()).containsExactly(second);
        assertThat(plan.changes).extracting(Plan.Change::change).containsExactly("created", "updated");
    }

    @Test
    void aDeletedRecordSentAgainComesBackAsAnUpdate() {
        Prepared sent = item(ITEM);
        Plan plan = plan(Map.of("A1", stored(sent, "2026-11-30T09:00:00Z", true)), sent);
        assertThat(plan.results).extracting(RecordResult::status).containsExactly("updated");
        assertThat(plan.updates()).containsExactly(sent);
    }

    @Test
    void stockNeedsItsItemAndWarehouseInTheMirror() {
        Prepared stock = Validation.prepare(Kind.STOCK, 0, ContentHashTest.json(
                "{\"warehouseErpId\":\"W1\",\"itemErpId\":\"A9\",\"quantity\":1,\"updatedAt\":\"2026-11-30T10:00:00Z\"}"));
        Plan plan = Plan.of(Kind.STOCK, List.of(stock), Map.of(), CodeBook.NONE, Set.of("A1"), Set.of("W1"));
        assertThat(plan.results.get(0).status()).isEqualTo("rejected");
        assertThat(plan.results.get(0).errors()).containsExactly(new FieldProblem("itemErpId", "no item A9 in the mirror; send it first"));
    }
}
