package dev.junction.cli;

import dev.junction.JunctionApplication;

/**
 * The jar's entry point: a command ({@code validate}, {@code partner}, {@code key}) runs without Spring; anything else
 * (no argument, or Spring-style settings) starts the hub exactly as {@link JunctionApplication} does. The choice lives
 * here, not in JunctionApplication, so that the hub's root package never depends on the CLI (modules stay acyclic).
 */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        if (JunctionCli.isCommand(args)) {
            System.exit(JunctionCli.run(args));
        }
        JunctionApplication.main(args);
    }
}
