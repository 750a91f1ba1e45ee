package dev.junction.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The integrator's commands, run from the hub's jar without starting the hub: {@code java -jar junction.jar validate}.
 * Exit codes: 0 done, 1 the files are invalid or the command was refused, 2 the command line is wrong.
 */
@Command(name = "junction", mixinStandardHelpOptions = true, versionProvider = JunctionCli.Version.class,
        description = {"Checks and edits the hub's connector and route files. With no command, the jar starts the hub."},
        footer = {"", "Exit codes: 0 done, 1 invalid files or a refused command, 2 a wrong command line.",
                "Folders: --connectors-dir / --routes-dir, else $JUNCTION_CONNECTORS_DIR / $JUNCTION_ROUTES_DIR, else connectors, routes."})
public final class JunctionCli {

    static final int REFUSED = 1;

    /**
     * True when the arguments name a command. No argument, or Spring-style settings ({@code --server.port=9090},
     * {@code --debug}), start the hub as before; {@code -h} and {@code --help} ask the CLI.
     */
    public static boolean isCommand(String[] args) {
        if (args.length == 0) {
            return false;
        }
        String first = args[0];
        return !first.startsWith("-") || first.equals("-h") || first.equals("--help") || first.equals("-V") || first.equals("--version");
    }

    /** Runs a command in the process's working directory and environment; returns the exit code. */
    public static int run(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        return run(args, new Context(Path.of("").toAbsolutePath(), System.getenv(), Clock.systemUTC(), new SecureRandom(), out, err));
    }

    static int run(String[] args, Context context) {
        CommandLine cli = new CommandLine(new JunctionCli())
                .addSubcommand(new ValidateCommand(context))
                .addSubcommand(new CommandLine(new PartnerCommand()).addSubcommand(new PartnerCommand.Create(context)))
                .addSubcommand(new CommandLine(new KeyCommand())
                        .addSubcommand(new KeyCommand.Add(context))
                        .addSubcommand(new KeyCommand.Rotate(context))
                        .addSubcommand(new KeyCommand.Revoke(context)));
        cli.setOut(context.out()).setErr(context.err());
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            // A refusal is an answer, not a crash: one line, no stack trace.
            line.getErr().println(e instanceof CommandFailed ? e.getMessage() : "error: " + e);
            return REFUSED;
        });
        int code = cli.execute(args);
        context.out().flush();
        context.err().flush();
        return code;
    }

    /** What a command runs against; tests pass their own folders, clock and streams. */
    record Context(Path workDir, Map<String, String> env, Clock clock, SecureRandom random, PrintWriter out, PrintWriter err) {}

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = JunctionCli.class.getPackage().getImplementationVersion();
            return new String[] {"junction " + (v == null ? "(development build)" : v)};
        }
    }
}
