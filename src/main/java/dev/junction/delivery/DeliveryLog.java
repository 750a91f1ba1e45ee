package dev.junction.delivery;

import dev.junction.intake.AcceptedMessage;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per attempt that did not deliver, and per parked message: receipt id, partner, event, target, attempt,
 * HTTP status or error class, and what happens next. An expected failure (a target's status, a timeout, a refused
 * connection, an open breaker, a payload the route cannot map) needs no stack trace, and at thousands of failures a
 * second the traces were most of what the hub did; an unexpected exception gets one, at most one a minute per partner
 * and exception class.
 */
final class DeliveryLog {

    private static final Logger log = LoggerFactory.getLogger(DeliveryLog.class);
    private static final Duration TRACE_EVERY = Duration.ofMinutes(1);
    private static final int MAX_TRACE_KEYS = 1_000;

    private final Map<String, Instant> lastTrace = new ConcurrentHashMap<>();

    void settled(Settlement s, Outcome outcome, String target, int maxAttempts, Instant now) {
        AcceptedMessage m = s.job().message();
        switch (s.kind()) {
            case DELIVERED -> {
                if (log.isDebugEnabled()) {
                    log.debug("Delivered receipt={} partner={} event={} target={} attempt={}", m.receiptId(), m.partner(),
                            m.event(), target, s.attempts());
                }
            }
            case RETRY -> failed("Delivery attempt failed, retrying", s, outcome, target, maxAttempts, "next=" + s.nextAttemptAt(), now);
            case DEAD -> failed("Delivery failed, dead letter", s, outcome, target, maxAttempts, "next=none", now);
            case PARKED -> log.info("Delivery parked: receipt={} partner={} event={} target={} attempts={}/{} reason=\"{}\" next={}",
                    m.receiptId(), m.partner(), m.event(), target, s.attempts(), maxAttempts, s.lastError(),
                    s.parkedOn() == null ? s.nextAttemptAt() : "when it lets calls through");
            case AWAITING -> {
                if (log.isDebugEnabled()) {
                    log.debug("Order taken by the agent, awaiting its callback: receipt={} partner={} event={} target={} attempt={} deadline={}",
                            m.receiptId(), m.partner(), m.event(), target, s.attempts(), s.nextAttemptAt());
                }
            }
        }
    }

    private void failed(String what, Settlement s, Outcome outcome, String target, int maxAttempts, String next, Instant now) {
        AcceptedMessage m = s.job().message();
        Throwable error = outcome instanceof Outcome.Retry r ? r.error() : outcome instanceof Outcome.Dead d ? d.error() : null;
        Attempt a = s.attempt();
        String line = what + ": receipt={} partner={} event={} target={} attempt={}/{} status={} error={} {}";
        Object[] args = {m.receiptId(), m.partner(), m.event(), target, s.attempts(), maxAttempts,
                a == null || a.httpStatus() == null ? "-" : a.httpStatus(), describe(error), next};
        if (error != null && !FailureClassifier.expected(error) && traceDue(m.partner() + " " + error.getClass().getName(), now)) {
            Object[] withTrace = Arrays.copyOf(args, args.length + 1);
            withTrace[args.length] = error;
            log.warn(line, withTrace);
        } else {
            log.warn(line, args);
        }
    }

    private boolean traceDue(String key, Instant now) {
        if (lastTrace.size() > MAX_TRACE_KEYS) {
            lastTrace.clear();
        }
        Instant last = lastTrace.get(key);
        if (last != null && last.plus(TRACE_EVERY).isAfter(now)) {
            return false;
        }
        lastTrace.put(key, now);
        return true;
    }

    /** The error's class and the start of its message, on one line. */
    static String describe(Throwable error) {
        if (error == null) {
            return "-";
        }
        String message = error.getMessage() == null ? "" : error.getMessage().replaceAll("\\s+", " ");
        if (message.length() > 200) {
            message = message.substring(0, 200) + "...";
        }
        return error.getClass().getSimpleName() + (message.isEmpty() ? "" : " \"" + message + "\"");
    }

    /**
     * The target a route called last: {@code <partner>/<target>} for a {@code target:}, else the endpoint's scheme, host
     * and path (never its query or user info, which may hold credentials).
     */
    static String target(Exchange exchange) {
        String target = exchange.getProperty(Dispatcher.TARGET_PROPERTY, String.class);
        if (target != null) {
            return target;
        }
        String uri = exchange.getProperty(Exchange.TO_ENDPOINT, String.class);
        if (uri == null) {
            return "-";
        }
        try {
            URI u = URI.create(uri);
            return u.getScheme() + "://" + (u.getHost() == null ? "" : u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort()))
                    + (u.getRawPath() == null ? "" : u.getRawPath());
        } catch (IllegalArgumentException unparsable) {
            return uri.substring(0, Math.max(0, uri.indexOf(':')));
        }
    }
}
