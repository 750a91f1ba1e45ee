package dev.junction.partner;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;

/**
 * One validated configuration as the hub runs it: the partners, the files they came from (connector and route files,
 * each with its SHA-256) and when it was loaded. Immutable: a reload builds a new one and swaps it in whole, so a
 * request sees either the old configuration or the new one, never half of each.
 *
 * @param version 1 for the configuration loaded at startup, then one more for each reload swapped in (the watcher reloads
 *                only when a file changed; an ops reload always swaps). A counter rather than a hash, so "newer" is
 *                obvious; per instance: each counts its own reloads, and {@code contentHash} is what says whether two
 *                instances run the same files.
 * @param contentHash SHA-256 over every file's name and hash, the same on any instance with the same files
 * @param files display path (as errors name files) to hex SHA-256, connectors first, then routes
 */
public record ConfigSnapshot(long version, Instant loadedAt, String contentHash, Map<String, Partner> partners,
                             Map<String, String> files) {

    public Collection<Partner> all() {
        return partners.values();
    }
}
