package dev.junction.reliability;

/**
 * Short or long form of the reliability suite. {@code ./mvnw verify} runs the short form (a couple of kills, a few
 * hundred messages per test); {@code ./mvnw verify -Dreliability=long} runs the long form (more kills, more messages,
 * longer windows). Maven passes command-line properties through to the forked test JVMs.
 */
final class Form {

    static final boolean LONG = "long".equalsIgnoreCase(System.getProperty("reliability", "short"));

    private Form() {}

    static int of(int shortForm, int longForm) {
        return LONG ? longForm : shortForm;
    }

    static String name() {
        return LONG ? "long" : "short";
    }
}
