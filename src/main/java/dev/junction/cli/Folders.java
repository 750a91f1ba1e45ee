package dev.junction.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The connectors and routes folders, as the hub finds them (DESIGN, Running): option, else environment, else default. */
final class Folders {

    @Option(names = "--connectors-dir", paramLabel = "<dir>",
            description = "Connector files (default: $JUNCTION_CONNECTORS_DIR, else connectors).")
    Path connectorsDir;

    @Option(names = "--routes-dir", paramLabel = "<dir>", description = "Route files (default: $JUNCTION_ROUTES_DIR, else routes).")
    Path routesDir;

    Path connectors(JunctionCli.Context context) {
        return resolve(context, connectorsDir, "JUNCTION_CONNECTORS_DIR", "connectors");
    }

    Path routes(JunctionCli.Context context) {
        return resolve(context, routesDir, "JUNCTION_ROUTES_DIR", "routes");
    }

    private static Path resolve(JunctionCli.Context context, Path option, String env, String fallback) {
        String fromEnv = context.env().get(env);
        Path dir = option != null ? option : Path.of(fromEnv == null || fromEnv.isBlank() ? fallback : fromEnv);
        return context.workDir().resolve(dir).normalize();
    }
}
