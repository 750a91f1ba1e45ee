package dev.junction.erp.agent;

import dev.junction.partner.Partner;
import java.time.Duration;
import java.time.Instant;

/**
 * An agent's health from its last heartbeat and its vendor's thresholds. {@link #gauge} is the value of the
 * {@code junction.agent.status} gauge: 0 never-seen, 1 offline, 2 degraded, 3 online, so "below 3" alerts on any trouble.
 */
enum AgentStatus {
    NEVER_SEEN("never-seen", 0), OFFLINE("offline", 1), DEGRADED("degraded", 2), ONLINE("online", 3);

    private final String label;
    private final int gauge;

    AgentStatus(String label, int gauge) {
        this.label = label;
        this.gauge = gauge;
    }

    String label() {
        return label;
    }

    int gauge() {
        return gauge;
    }

    /** Online while younger than degradedAfter, degraded while younger than offlineAfter, then offline. */
    static AgentStatus at(Instant lastHeartbeat, Partner.Heartbeat thresholds, Instant now) {
        if (lastHeartbeat == null) {
            return NEVER_SEEN;
        }
        Duration age = Duration.between(lastHeartbeat, now);
        if (age.compareTo(thresholds.degradedAfter()) < 0) {
            return ONLINE;
        }
        return age.compareTo(thresholds.offlineAfter()) < 0 ? DEGRADED : OFFLINE;
    }

    static AgentStatus ofLabel(String label) {
        for (AgentStatus s : values()) {
            if (s.label.equals(label)) {
                return s;
            }
        }
        throw new IllegalArgumentException("Unknown agent status " + label);
    }

    /** "2m 5s", "10m", "1d 3h": how long an agent has been silent, for the audit trail and the log. */
    static String human(Duration d) {
        long s = Math.max(0, d.toSeconds());
        StringBuilder out = new StringBuilder();
        long[] parts = {s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < parts.length; i++) {
            if (parts[i] > 0) {
                out.append(out.isEmpty() ? "" : " ").append(parts[i]).append(units[i]);
            }
        }
        return out.isEmpty() ? "0s" : out.toString();
    }
}
