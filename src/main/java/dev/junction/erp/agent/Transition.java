package dev.junction.erp.agent;

import java.time.Instant;

/** A change of an agent's recorded status, audited once whichever instance saw it first. */
record Transition(String vendor, AgentStatus from, AgentStatus to, Instant at, String actor, String why) {

    static final String ACTION = "agent-status";

    /** The audit reason, e.g. {@code fresh-foods: online -> degraded (no heartbeat for 2m 5s)}. */
    String reason() {
        return vendor + ": " + from.label() + " -> " + to.label() + " (" + why + ")";
    }
}
