package dev.junction.delivery;

import java.util.Optional;

/**
 * What delivery needs to know of a vendor's ERP agent to send it an order, answered by the agent registry
 * (erp.agent) from the database, so every instance sees the same agents.
 */
public interface AgentDirectory {

    /** The vendor's registered agent; empty when it never registered. */
    Optional<Agent> agent(String vendor);

    /**
     * @param url where its orders go (the registered {@code agentUrl})
     * @param reachable true while it is online or degraded by heartbeat; an offline agent's orders are held
     * @param status online, degraded or offline, for ops and the log
     */
    record Agent(String vendor, String url, boolean reachable, String status) {}
}
