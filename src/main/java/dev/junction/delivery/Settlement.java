package dev.junction.delivery;

import java.time.Instant;

/**
 * What one delivery did to its message: the new state, and the attempt that led to it ({@code null} when parked,
 * which spends no attempt). It holds the job without its payload: an outcome may wait for its commit a while, and the
 * update does not touch the body (V4).
 */
record Settlement(Kind kind, Job job, int attempts, Instant at, Instant nextAttemptAt, String lastError, Attempt attempt,
                  String parkedOn) {

    /** Each kind updates the message its own way; every update is guarded by the lease owner. */
    enum Kind {
        DELIVERED("""
                UPDATE message SET status = 'delivered', attempts = :attempts, delivered_at = :now, next_attempt_at = NULL,
                       last_error = NULL, lease_owner = NULL, lease_expires_at = NULL, parked_on = NULL
                WHERE receipt_id = :id AND lease_owner = :owner"""),
        RETRY("""
                UPDATE message SET status = 'retrying', attempts = :attempts, next_attempt_at = :next, last_error = :error,
                       lease_owner = NULL, lease_expires_at = NULL, parked_on = NULL
                WHERE receipt_id = :id AND lease_owner = :owner"""),
        DEAD("""
                UPDATE message SET status = 'dead', attempts = :attempts, dead_at = :now, next_attempt_at = NULL, last_error = :error,
                       lease_owner = NULL, lease_expires_at = NULL, parked_on = NULL
                WHERE receipt_id = :id AND lease_owner = :owner"""),
        /**
         * The agent took the order: no lease and no delivery slot while the ERP books it. {@code next} is the callback's
         * deadline, after which the attempt counts as failed (AgentCallbacks).
         */
        AWAITING("""
                UPDATE message SET status = 'awaiting-callback', attempts = :attempts, next_attempt_at = :next, last_error = NULL,
                       lease_owner = NULL, lease_expires_at = NULL, parked_on = NULL
                WHERE receipt_id = :id AND lease_owner = :owner"""),
        /**
         * Not attempted: parked on the target whose breaker refused it, attempt count unchanged. The breaker sweep
         * makes it due when the breaker lets calls through; {@code next} only bounds the wait should no sweep run.
         */
        PARKED("""
                UPDATE message SET status = 'retrying', next_attempt_at = :next, last_error = :error, lease_owner = NULL, lease_expires_at = NULL,
                       parked_on = :parkedOn
                WHERE receipt_id = :id AND lease_owner = :owner""");

        final String sql;

        Kind(String sql) {
            this.sql = sql;
        }
    }

    static Settlement delivered(Job job, Attempt attempt, Instant now) {
        return new Settlement(Kind.DELIVERED, job.withoutPayload(), attempt.number(), now, null, null, attempt, null);
    }

    static Settlement retry(Job job, Attempt attempt, Instant now, Instant next) {
        return new Settlement(Kind.RETRY, job.withoutPayload(), attempt.number(), now, next, attempt.summary(), attempt, null);
    }

    static Settlement dead(Job job, Attempt attempt, Instant now) {
        return new Settlement(Kind.DEAD, job.withoutPayload(), attempt.number(), now, null, attempt.summary(), attempt, null);
    }

    static Settlement awaiting(Job job, Attempt attempt, Instant now, Instant deadline) {
        return new Settlement(Kind.AWAITING, job.withoutPayload(), attempt.number(), now, deadline, null, attempt, null);
    }

    /** Put back without an attempt and without a breaker to wait for: a PARKED row on no target, due at {@code next}. */
    static Settlement deferred(Job job, Instant now, Instant next, String reason) {
        return new Settlement(Kind.PARKED, job.withoutPayload(), job.attempts(), now, next, reason, null, null);
    }

    static Settlement parked(Job job, Instant now, String target, Instant until, String reason) {
        return new Settlement(Kind.PARKED, job.withoutPayload(), job.attempts(), now, until, reason, null, target);
    }
}
