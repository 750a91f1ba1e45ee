package dev.junction;

import org.slf4j.MDC;

/**
 * The four fields that tie a log line to one message's life: set around intake and around each delivery attempt, so
 * every line logged meanwhile (the hub's, a route's {@code log} step, Camel's) carries them, and with
 * {@code junction.log-format=json} they are fields of each JSON line ops can filter on.
 */
public final class MessageMdc implements AutoCloseable {

    public static final String RECEIPT_ID = "receiptId";
    public static final String PARTNER = "partner";
    public static final String EVENT = "event";
    public static final String CORRELATION_ID = "correlationId";

    private static final String[] KEYS = {RECEIPT_ID, PARTNER, EVENT, CORRELATION_ID};

    private final String[] previous = new String[KEYS.length];

    private MessageMdc() {
        for (int i = 0; i < KEYS.length; i++) {
            previous[i] = MDC.get(KEYS[i]);
        }
    }

    /**
     * Sets the fields that are not null; {@link #close} puts back what was there before (threads are pooled: fields
     * must not leak to the next message, and a scope opened inside another must not end the outer one).
     */
    public static MessageMdc open(String receiptId, String partner, String event, String correlationId) {
        MessageMdc scope = new MessageMdc();
        put(RECEIPT_ID, receiptId);
        put(PARTNER, partner);
        put(EVENT, event);
        put(CORRELATION_ID, correlationId);
        return scope;
    }

    /** Adds the receipt id once intake knows it; the correlation id is the receipt id unless the partner sent one. */
    public static void accepted(String receiptId, String correlationId) {
        put(RECEIPT_ID, receiptId);
        put(CORRELATION_ID, correlationId != null ? correlationId : receiptId);
    }

    private static void put(String key, String value) {
        if (value != null) {
            MDC.put(key, value);
        }
    }

    @Override
    public void close() {
        for (int i = 0; i < KEYS.length; i++) {
            if (previous[i] == null) {
                MDC.remove(KEYS[i]);
            } else {
                MDC.put(KEYS[i], previous[i]);
            }
        }
    }
}
