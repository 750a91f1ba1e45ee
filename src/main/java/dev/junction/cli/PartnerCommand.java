package dev.junction.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.partner.ConnectorCheck;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code partner create}: a new partner's connector file. */
@Command(name = "partner", mixinStandardHelpOptions = true, description = "Creates partners (connector files).")
final class PartnerCommand {

    /** DESIGN, Connector descriptor: the partner id, which is also the file name. */
    static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{1,62}");

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Writes <connectors>/<id>.yaml from the template with one new API key and no events yet, "
                    + "and prints the key once: only its SHA-256 is stored. The file passes validate.",
            footer = {"", "Exit codes: 0 created, 1 refused (the partner exists, the id is invalid), 2 a wrong command line.",
                    "Next: add the partner's events and routes, then run validate."})
    static final class Create implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "<id>", description = "Partner id: [a-z0-9][a-z0-9-]{1,62}, e.g. acme.")
        String id;

        @Option(names = "--display-name", paramLabel = "<name>", description = "Name shown to ops (default: the id).")
        String displayName;

        @Option(names = "--key-id", paramLabel = "<key id>", description = "Id of the first key (default: key-<today>).")
        String keyId;

        @Mixin
        Folders folders = new Folders();

        private final JunctionCli.Context context;

        Create(JunctionCli.Context context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            if (!ID.matcher(id).matches()) {
                throw new CommandFailed("'" + id + "' is not a partner id: 2 to 63 of a-z, 0-9 and '-', starting with a letter or digit");
            }
            ConnectorWriter writer = new ConnectorWriter(context, folders);
            Path file = writer.connectors().resolve(id + ".yaml");
            for (Path taken : List.of(file, writer.connectors().resolve(id + ".yml"))) {
                if (Files.exists(taken)) {
                    throw new CommandFailed("partner '" + id + "' exists: " + ConnectorCheck.display(taken)
                            + " (new keys: key add " + id + ")");
                }
            }
            String newKeyId = keyId != null ? KeyIds.checked(keyId, List.of()) : KeyIds.generated(context.clock(), List.of());
            NewKey key = NewKey.generate(context.random());
            writer.write(file, template()
                    .replace("{{partner}}", id)
                    .replace("{{displayName}}", quoted(displayName == null ? id : displayName))
                    .replace("{{keyId}}", newKeyId)
                    .replace("{{sha256}}", key.sha256()), true, "partner '" + id + "' not created");
            context.out().println("Created " + ConnectorCheck.display(file) + " for partner '" + id + "' with key '" + newKeyId + "'.");
            KeyCommand.printOnce(context, key, file);
            return 0;
        }

        /** A JSON string is a YAML double-quoted scalar: any name is written as typed, whatever its characters. */
        private static String quoted(String text) {
            try {
                return new ObjectMapper().writeValueAsString(text);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        private static String template() {
            try (InputStream in = PartnerCommand.class.getResourceAsStream("connector-template.yaml")) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
