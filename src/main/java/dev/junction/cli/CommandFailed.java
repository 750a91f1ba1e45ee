package dev.junction.cli;

/** A command refused what it was asked (exit 1); the message says why and what to do instead. */
final class CommandFailed extends RuntimeException {

    CommandFailed(String message) {
        super(message, null, false, false);
    }
}
