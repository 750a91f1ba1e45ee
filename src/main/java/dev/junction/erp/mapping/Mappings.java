package dev.junction.erp.mapping;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.junction.JunctionProperties;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Resolves a vendor's ERP codes for the ingest pipeline and the ops resolve endpoint. Each call checks the vendor's
 * mapping revision (one primary-key read) against the cached copy: an import on any instance sharing the database
 * bumps it, so the next batch everywhere sees the change; the TTL only bounds how long an idle copy stays in memory.
 */
@Component
public class Mappings {

    private final MappingStore store;
    private final Cache<String, VendorMappings> cache;

    @Autowired
    Mappings(MappingStore store, JunctionProperties properties) {
        this(store, properties.erp(), Ticker.systemTicker());
    }

    Mappings(MappingStore store, JunctionProperties.Erp settings, Ticker ticker) {
        this.store = store;
        this.cache = Caffeine.newBuilder()
                .maximumSize(settings.mappingCacheVendors())
                .expireAfterWrite(settings.mappingCacheTtl())
                .ticker(ticker)
                .build();
    }

    /**
     * One revision check (a primary-key read of erp_mapping_revision), then the cached copy; call once per batch.
     *
     * @param vendor the vendor's partner id; a vendor without mappings gets an empty set
     */
    public VendorMappings of(String vendor) {
        long revision = store.revision(vendor);
        VendorMappings cached = cache.getIfPresent(vendor);
        if (cached != null && cached.revision() == revision) {
            return cached;
        }
        // The revision is read before the rows, so the rows are at least as new as the revision they are cached
        // under: an import committing in between makes the next call reload once more, never serve old rows.
        VendorMappings loaded = new VendorMappings(revision, store.mappings(vendor));
        cache.put(vendor, loaded);
        return loaded;
    }

    /** Drops this instance's copy after an import; other instances notice the bumped revision instead. */
    void invalidate(String vendor) {
        cache.invalidate(vendor);
    }
}
