package dev.junction.intake;

/** The journal could not commit; nothing was accepted, so the caller must not be told otherwise. */
public class JournalUnavailableException extends RuntimeException {

    public JournalUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
