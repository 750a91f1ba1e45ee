package dev.junction.cli;

import dev.junction.partner.ConnectorCheck;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * Writes a connector file only if the hub would load it, and atomically: a hub watching the folder sees the old file
 * or the new one, never half of it. The temporary file is a dot file not ending in .yaml, which no scan reads.
 */
final class ConnectorWriter {

    private final JunctionCli.Context context;
    private final Path connectors;
    private final Path routes;

    ConnectorWriter(JunctionCli.Context context, Folders folders) {
        this.context = context;
        this.connectors = folders.connectors(context);
        this.routes = folders.routes(context);
    }

    Path connectors() {
        return connectors;
    }

    /** The partner's existing connector file. */
    Path existing(String partner) {
        for (String ext : List.of(".yaml", ".yml")) {
            Path file = connectors.resolve(partner + ext);
            if (Files.isRegularFile(file)) {
                return file;
            }
        }
        throw new CommandFailed("no connector for partner '" + partner + "' in " + ConnectorCheck.display(connectors)
                + " (" + partner + ".yaml); create one with: partner create " + partner);
    }

    String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Checks the file as it would be, with every other file as it is; writes it only if it has no problem. */
    void write(Path file, String content, boolean create, String refusal) {
        String shown = ConnectorCheck.display(file);
        List<String> problems = ConnectorCheck.folders(context.workDir(), connectors, routes, file, content).problems().stream()
                .filter(p -> p.startsWith(shown + ":"))
                .toList();
        if (!problems.isEmpty()) {
            throw new CommandFailed(refusal + "; " + shown + " would not be valid (nothing written):"
                    + System.lineSeparator() + String.join(System.lineSeparator(), problems));
        }
        try {
            Files.createDirectories(file.getParent());
            Path temp = Files.createTempFile(file.getParent(), "." + file.getFileName() + ".", ".tmp");
            try {
                try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                    channel.write(StandardCharsets.UTF_8.encode(content));
                    channel.force(true);
                }
                keepPermissions(create ? null : file, temp);
                if (create) {
                    // No REPLACE_EXISTING: a file made meanwhile by someone else is not overwritten.
                    Files.move(temp, file);
                } else {
                    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (FileAlreadyExistsException e) {
            throw new CommandFailed(shown + " already exists");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A temporary file is private (rw-------); the connector keeps its mode, or gets rw-r--r-- like a file an editor makes. */
    private static void keepPermissions(Path original, Path temp) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(temp, PosixFileAttributeView.class);
        if (view != null) {
            view.setPermissions(original != null ? Files.getPosixFilePermissions(original) : PosixFilePermissions.fromString("rw-r--r--"));
        }
    }
}
