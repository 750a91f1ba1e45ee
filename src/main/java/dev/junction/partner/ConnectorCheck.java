package dev.junction.partner;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The connector and route checks the hub runs at startup, for tools that run without the hub (the CLI's
 * {@code validate}, and its edits, which check a file before writing it). Each problem is one line: file: field: problem.
 */
public final class ConnectorCheck {

    /** What a check found: its problems (none when valid) and what it read. */
    public record Report(List<String> problems, int connectors, int routes) {

        public boolean valid() {
            return problems.isEmpty();
        }
    }

    private ConnectorCheck() {}

    /** Checks every connector against the schema, the routes folder and each other; paths in files resolve against workDir. */
    public static Report folders(Path workDir, Path connectorsDir, Path routesDir) {
        return new ConnectorLoader(workDir).check(connectorsDir, routesDir, Map.of());
    }

    /** Like {@link #folders(Path, Path, Path)}, as if {@code file} held {@code content}: a check before writing it. */
    public static Report folders(Path workDir, Path connectorsDir, Path routesDir, Path file, String content) {
        return new ConnectorLoader(workDir).check(connectorsDir, routesDir, Map.of(file, content));
    }

    /** A file as problem lines name it. */
    public static String display(Path file) {
        return ConnectorLoader.display(file);
    }
}
