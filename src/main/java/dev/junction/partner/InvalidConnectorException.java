package dev.junction.partner;

/** A connector or route file the hub cannot run with; the message names the file, the field and the problem. */
public class InvalidConnectorException extends RuntimeException {

    public InvalidConnectorException(String message) {
        super(message, null, false, false);
    }

    static InvalidConnectorException at(String file, String field, String problem) {
        return new InvalidConnectorException(file + ": " + (field.isEmpty() ? "" : field + ": ") + problem);
    }

    /** For checks made outside the loader (settings a descriptor refers to): the file named as the loader names it. */
    public static InvalidConnectorException at(java.nio.file.Path file, String field, String problem) {
        return at(ConnectorLoader.display(file), field, problem);
    }
}
