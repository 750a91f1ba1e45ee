package dev.junction.cli;

import dev.junction.partner.ConnectorCheck;
import dev.junction.partner.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code key add|rotate|revoke}: a partner's API keys, edited in its connector file. */
@Command(name = "key", mixinStandardHelpOptions = true, description = "Adds, rotates and revokes a partner's API keys.",
        footer = {"", "Each command edits <connectors>/<partner>.yaml in place (comments and layout kept) and writes it only if it "
                + "passes validate. A new key is printed once; only its SHA-256 is written. A running hub sees the change when it "
                + "reloads the connectors (or restarts)."})
final class KeyCommand {

    /** The one time a key is shown. Stdout only: nothing logs it, nothing writes it. */
    static void printOnce(JunctionCli.Context context, NewKey key, Path file) {
        context.out().println("The key, shown this once and stored nowhere (" + ConnectorCheck.display(file)
                + " holds only its SHA-256): give it to the partner over a secure channel.");
        context.out().println(key.plaintext());
    }

    /** What every key command shares: the partner, its file and the folders. */
    abstract static class Edit implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "<partner>", description = "Partner id (the connector file's name).")
        String partner;

        @Mixin
        Folders folders = new Folders();

        final JunctionCli.Context context;

        Edit(JunctionCli.Context context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            ConnectorWriter writer = new ConnectorWriter(context, folders);
            Path file = writer.existing(partner);
            ConnectorFile connector;
            try {
                connector = new ConnectorFile(writer.read(file));
            } catch (CommandFailed e) {
                throw new CommandFailed(ConnectorCheck.display(file) + ": " + e.getMessage());
            }
            edit(writer, file, connector, context.clock().instant().truncatedTo(ChronoUnit.SECONDS));
            return 0;
        }

        abstract void edit(ConnectorWriter writer, Path file, ConnectorFile connector, Instant now);

        static List<String> ids(ConnectorFile connector) {
            return connector.keys().stream().map(ConnectorFile.Key::id).toList();
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Adds a new key to the partner and prints it once.",
            footer = {"", "Exit codes: 0 added, 1 refused (no such partner, key id taken, expiry in the past), 2 a wrong command line."})
    static final class Add extends Edit {

        @Option(names = "--id", paramLabel = "<key id>", description = "The new key's id (default: key-<today>, unique within the partner).")
        String id;

        @Option(names = "--expires-at", paramLabel = "<instant>", converter = InstantConverter.class,
                description = "When the key stops working, ISO-8601 like 2027-06-30T00:00:00Z (default: never).")
        Instant expiresAt;

        Add(JunctionCli.Context context) {
            super(context);
        }

        @Override
        void edit(ConnectorWriter writer, Path file, ConnectorFile connector, Instant now) {
            if (expiresAt != null && !expiresAt.isAfter(now)) {
                throw new CommandFailed("--expires-at " + expiresAt + " is not in the future");
            }
            String newId = id != null ? KeyIds.checked(id, ids(connector)) : KeyIds.generated(context.clock(), ids(connector));
            NewKey key = NewKey.generate(context.random());
            writer.write(file, connector.withKey(newId, key.sha256(), expiresAt).text(), false, "key not added");
            context.out().println("Added key '" + newId + "' to partner '" + partner + "'"
                    + (expiresAt == null ? "." : ", expiring at " + expiresAt + "."));
            printOnce(context, key, file);
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = {"Adds a new key and gives the old one an expiry, now + overlap (default 24h), so that the partner "
                    + "can switch keys without a failed call. An old key that expires sooner keeps its expiry.",
                    "Without <key id>: the partner's only live key, or else its only live key without an expiry."},
            footer = {"", "Exit codes: 0 rotated, 1 refused (no such partner or key, several candidate keys), 2 a wrong command line.",
                    "A leaked key: key rotate <partner> <key id> --overlap 0 (the old key stops at once)."})
    static final class Rotate extends Edit {

        @Parameters(index = "1", arity = "0..1", paramLabel = "<key id>", description = "The key to replace.")
        String keyId;

        @Option(names = "--overlap", paramLabel = "<duration>", defaultValue = "24h", converter = DurationConverter.class,
                description = "How long the old key keeps working: 30m, 24h, 7d, ISO-8601 (default: ${DEFAULT-VALUE}).")
        Duration overlap;

        @Option(names = "--id", paramLabel = "<key id>", description = "The new key's id (default: key-<today>).")
        String id;

        Rotate(JunctionCli.Context context) {
            super(context);
        }

        @Override
        void edit(ConnectorWriter writer, Path file, ConnectorFile connector, Instant now) {
            ConnectorFile.Key old = pick(connector.keys(), now);
            Instant until = now.plus(overlap);
            boolean sooner = old.expiresAt() != null && old.expiresAt().isBefore(until);
            String newId = id != null ? KeyIds.checked(id, ids(connector)) : KeyIds.generated(context.clock(), ids(connector));
            NewKey key = NewKey.generate(context.random());
            ConnectorFile rotated = connector.withKey(newId, key.sha256(), null);
            writer.write(file, (sooner ? rotated : rotated.withExpiry(old.id(), until)).text(), false, "key not rotated");
            Instant ends = sooner ? old.expiresAt() : until;
            context.out().println("Added key '" + newId + "' to partner '" + partner + "'; key '" + old.id() + "' "
                    + (ends.isAfter(now) ? "works until " : "stopped working at ") + ends + ".");
            printOnce(context, key, file);
        }

        private ConnectorFile.Key pick(List<ConnectorFile.Key> keys, Instant now) {
            if (keyId != null) {
                return keys.stream().filter(k -> k.id().equals(keyId)).findFirst().orElseThrow(() ->
                        new CommandFailed("partner '" + partner + "' has no key '" + keyId + "'; its keys: " + describe(keys)));
            }
            List<ConnectorFile.Key> live = keys.stream().filter(k -> !k.expiredAt(now)).toList();
            List<ConnectorFile.Key> lasting = live.stream().filter(k -> k.expiresAt() == null).toList();
            if (live.size() == 1 || lasting.size() == 1) {
                return live.size() == 1 ? live.get(0) : lasting.get(0);
            }
            throw new CommandFailed(live.isEmpty()
                    ? "partner '" + partner + "' has no live key to rotate (key add " + partner + " makes one)"
                    : "which key? partner '" + partner + "' has several: " + describe(live) + "; name it: key rotate " + partner + " <key id>");
        }

        private static String describe(List<ConnectorFile.Key> keys) {
            return keys.isEmpty() ? "none" : keys.stream()
                    .map(k -> k.id() + (k.expiresAt() == null ? "" : " (expires " + k.expiresAt() + ")"))
                    .collect(Collectors.joining(", "));
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = {"Removes a key from the partner's connector file.",
                    "The partner's last key is kept unless --last is given, and even then where the file needs a key (a partner "
                    + "without agent or sync jobs): replace it (key rotate <partner> <key id> --overlap 0), or remove the partner's file."},
            footer = {"", "Exit codes: 0 revoked, 1 refused (no such partner or key, the last key), 2 a wrong command line.",
                    "A running hub accepts the key until it reloads the connectors (or restarts)."})
    static final class Revoke extends Edit {

        @Parameters(index = "1", paramLabel = "<key id>", description = "The key to remove.")
        String keyId;

        @Option(names = "--last", description = "Remove it even if it is the partner's last key: no webhook from the partner "
                + "is accepted afterwards. Only where the file stays valid (a partner with an agent or sync jobs).")
        boolean last;

        Revoke(JunctionCli.Context context) {
            super(context);
        }

        @Override
        void edit(ConnectorWriter writer, Path file, ConnectorFile connector, Instant now) {
            ConnectorFile revoked = connector.withoutKey(keyId);
            String replace = "replace it with: key rotate " + partner + " " + keyId + " --overlap 0";
            if (revoked.keys().isEmpty() && !last) {
                // An emergency is a leaked key, and the fix is a new key; a partner cut off by mistake is an outage.
                throw new CommandFailed("key '" + keyId + "' is the last key of partner '" + partner + "' and was not revoked: "
                        + replace + " (or pass --last to leave the partner without a key)");
            }
            writer.write(file, revoked.text(), false, revoked.keys().isEmpty()
                    ? "key '" + keyId + "' is the last key of partner '" + partner + "' and was not revoked (" + replace
                            + ", or remove " + ConnectorCheck.display(file) + " to cut the partner off)"
                    : "key '" + keyId + "' not revoked");
            context.out().println("Revoked key '" + keyId + "' of partner '" + partner + "': " + ConnectorCheck.display(file)
                    + " no longer lists it.");
        }
    }

    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                // "0" reads as what it says: no overlap, the old key stops now.
                return value.trim().equals("0") ? Duration.ZERO : Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class InstantConverter implements CommandLine.ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            try {
                return Instant.parse(value);
            } catch (DateTimeParseException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not an ISO-8601 instant like 2027-06-30T00:00:00Z");
            }
        }
    }
}
