package dev.junction.delivery;

import java.time.Instant;

/** One recorded attempt: number, time, duration, outcome, HTTP status, error class and message. */
record Attempt(int number, Instant startedAt, long durationMs, String outcome, Integer httpStatus, String errorClass, String errorMessage) {

    static Attempt of(int number, Instant startedAt, long durationMs, String outcome, Integer httpStatus, Throwable error) {
        String message = error == null ? null : String.valueOf(error.getMessage());
        if (message != null && message.length() > 2000) {
            message = message.substring(0, 2000);
        }
        return new Attempt(number, startedAt, durationMs, outcome, httpStatus, error == null ? null : error.getClass().getName(), message);
    }

    /** What receipts and dead letters show as the last error. */
    String summary() {
        if (errorClass == null) {
            return null;
        }
        String simple = errorClass.substring(errorClass.lastIndexOf('.') + 1);
        String text = (httpStatus != null ? "HTTP " + httpStatus + ": " : "") + simple + (errorMessage == null ? "" : ": " + errorMessage);
        return text.length() <= 2000 ? text : text.substring(0, 2000);
    }
}
