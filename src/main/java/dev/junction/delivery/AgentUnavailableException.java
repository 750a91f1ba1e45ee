package dev.junction.delivery;

/**
 * An order for an agent that is offline by heartbeat, or never registered: not called, no attempt spent. The message
 * is held (parked on {@code <partner>/agent:<vendor>}) until the agent heartbeats again.
 */
class AgentUnavailableException extends RuntimeException {

    private final String holdKey;

    AgentUnavailableException(String holdKey, String message) {
        super(message, null, false, false);
        this.holdKey = holdKey;
    }

    String holdKey() {
        return holdKey;
    }
}
