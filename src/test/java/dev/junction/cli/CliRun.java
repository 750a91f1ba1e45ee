package dev.junction.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The CLI run in-process over a throw-away copy of the shipped files, at a fixed time. */
final class CliRun {

    static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    /** What one command printed and returned. */
    record Result(int code, String out, String err) {

        List<String> outLines() {
            return out.lines().toList();
        }

        /** The key a command printed: the one line that is a key. */
        String printedKey() {
            List<String> keys = outLines().stream().filter(l -> l.startsWith(NewKey.PREFIX)).toList();
            if (keys.size() != 1) {
                throw new AssertionError("expected one printed key, got " + keys + " in:\n" + out);
            }
            return keys.get(0);
        }
    }

    private final Path work;
    private final Map<String, String> env;

    CliRun(Path work, Map<String, String> env) {
        this.work = work;
        this.env = env;
    }

    /** A working directory holding copies of the shipped connectors, routes and the event schemas they name. */
    static Path shippedFilesIn(Path work) {
        for (String dir : List.of("connectors", "routes", "openapi")) {
            copy(Path.of(dir), work.resolve(dir));
        }
        return work;
    }

    Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = JunctionCli.run(args, new JunctionCli.Context(work, env, Clock.fixed(NOW, ZoneOffset.UTC), new SecureRandom(),
                new PrintWriter(out, true), new PrintWriter(err, true)));
        return new Result(code, out.toString(), err.toString());
    }

    static void copy(Path from, Path to) {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.sorted(Comparator.naturalOrder()).toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
