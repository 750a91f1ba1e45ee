package dev.junction.cli;

import java.nio.file.Path;
import java.util.List;

/** One more kind of file {@code validate} checks beside connectors and routes; each problem a "file: field: problem" line. */
@FunctionalInterface
interface Check {

    List<String> problems(Path connectorsDir, Path routesDir);
}
