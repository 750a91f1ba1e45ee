package dev.junction.delivery;

import java.time.Duration;

/** A partner target answered with a status that is not 2xx. */
public class TargetHttpException extends RuntimeException {

    private final int status;
    private final transient Duration retryAfter;

    public TargetHttpException(String target, int status, Duration retryAfter, String bodySnippet) {
        super(target + " answered HTTP " + status + (bodySnippet.isBlank() ? "" : ": " + bodySnippet), null, false, false);
        this.status = status;
        this.retryAfter = retryAfter;
    }

    public int status() {
        return status;
    }

    /** The target's Retry-After, or null. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
