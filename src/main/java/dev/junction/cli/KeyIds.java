package dev.junction.cli;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.regex.Pattern;

/** Key ids: unique within a partner, and readable in logs and ops views (key-2026-11-30, then key-2026-11-30-2). */
final class KeyIds {

    /** The descriptor schema's key id pattern. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private KeyIds() {}

    static String generated(Clock clock, Collection<String> taken) {
        String base = "key-" + LocalDate.now(clock.withZone(ZoneOffset.UTC));
        String id = base;
        for (int n = 2; taken.contains(id); n++) {
            id = base + "-" + n;
        }
        return id;
    }

    static String checked(String id, Collection<String> taken) {
        if (!ID.matcher(id).matches()) {
            throw new CommandFailed("'" + id + "' is not a key id: 1 to 64 of A-Z, a-z, 0-9, '.', '_' and '-'");
        }
        if (taken.contains(id)) {
            throw new CommandFailed("the partner already has a key '" + id + "'; key ids are unique within a partner");
        }
        return id;
    }
}
