package dev.junction.erp.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.JunctionProperties;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The resolver's cache: one revision read per call, the mappings table read only when the revision moved or the TTL passed. */
class MappingsCacheTest {

    /** A store over a map, counting what the resolver reads. */
    static final class CountingStore extends MappingStore {
        final Map<String, Long> revisions = new HashMap<>();
        final Map<String, Map<VendorMappings.Key, Mapping>> rows = new HashMap<>();
        int revisionReads;
        int loads;

        CountingStore() {
            super(null);
        }

        @Override
        long revision(String vendor) {
            revisionReads++;
            return revisions.getOrDefault(vendor, 0L);
        }

        @Override
        Map<VendorMappings.Key, Mapping> mappings(String vendor) {
            loads++;
            return rows.getOrDefault(vendor, Map.of());
        }

        void put(String vendor, Mapping m) {
            rows.computeIfAbsent(vendor, v -> new HashMap<>()).put(new VendorMappings.Key(m.type(), m.erpCode()), m);
        }
    }

    final CountingStore store = new CountingStore();
    final AtomicLong nanos = new AtomicLong();
    final Mappings mappings = new Mappings(store, new JunctionProperties.Erp(Duration.ofMinutes(10), 2, Duration.ofSeconds(15)), nanos::get);

    static Mapping kg(String code) {
        return new Mapping("unit", "KG", code, "Kilo", true);
    }

    @Test
    void anUnchangedRevisionServesTheCachedCopyWithoutReadingMappings() {
        store.put("fresh-foods", kg("unit_kg_rm"));
        store.revisions.put("fresh-foods", 1L);

        for (int batch = 0; batch < 5; batch++) {
            assertThat(mappings.of("fresh-foods").find("unit", "KG")).map(Mapping::code).contains("unit_kg_rm");
        }

        assertThat(store.loads).isEqualTo(1);
        assertThat(store.revisionReads).as("one revision check per batch").isEqualTo(5);
    }

    @Test
    void aChangedRevisionReloads() {
        store.put("fresh-foods", kg("unit_kg_rm"));
        store.revisions.put("fresh-foods", 1L);
        mappings.of("fresh-foods");

        store.put("fresh-foods", kg("unit_kilo"));
        assertThat(mappings.of("fresh-foods").find("unit", "KG")).as("same revision").map(Mapping::code).contains("unit_kg_rm");
        store.revisions.put("fresh-foods", 2L);

        assertThat(mappings.of("fresh-foods").find("unit", "KG")).map(Mapping::code).contains("unit_kilo");
        assertThat(store.loads).isEqualTo(2);
    }

    @Test
    void theTtlBoundsAnIdleCopy() {
        store.put("fresh-foods", kg("unit_kg_rm"));
        mappings.of("fresh-foods");
        nanos.addAndGet(Duration.ofMinutes(9).toNanos());
        mappings.of("fresh-foods");
        assertThat(store.loads).isEqualTo(1);

        nanos.addAndGet(Duration.ofMinutes(2).toNanos());
        mappings.of("fresh-foods");
        assertThat(store.loads).isEqualTo(2);
    }

    @Test
    void invalidatingReloadsAndVendorsAreCachedApart() {
        store.put("fresh-foods", kg("unit_kg_rm"));
        mappings.of("fresh-foods");
        mappings.of("brewery");
        assertThat(mappings.of("brewery").find("unit", "KG")).isEmpty();
        assertThat(store.loads).isEqualTo(2);

        mappings.invalidate("fresh-foods");
        mappings.of("fresh-foods");
        mappings.of("brewery");
        assertThat(store.loads).isEqualTo(3);
    }
}
