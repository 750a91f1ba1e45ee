package dev.junction.erp.agent;

import java.time.Instant;

/**
 * A row of {@code erp_agent}: what the agent last told the hub, and {@code recorded}, the last status transition the
 * hub audited (the live status is computed from {@code lastHeartbeatAt} when read, see {@link AgentStatus#at}).
 */
record AgentRow(String vendor, String agentUrl, String erpType, String version, Instant registeredAt, Instant lastHeartbeatAt,
                Integer agentPendingOrders, AgentStatus recorded, Instant statusSince) {}
