-- The journal: every accepted message, whatever its kind (webhook, sync record, agent order), with its delivery state.
-- Runs unchanged on H2 and PostgreSQL.
CREATE TABLE message (
    receipt_id       VARCHAR(36)              NOT NULL PRIMARY KEY,
    kind             VARCHAR(16)              NOT NULL,
    partner          VARCHAR(63)              NOT NULL,
    event            VARCHAR(63)              NOT NULL,
    route            VARCHAR(128)             NOT NULL,
    -- Cleared when the retention window ends, so the key can be used again.
    idempotency_key  VARCHAR(255),
    correlation_id   VARCHAR(128)             NOT NULL,
    content_type     VARCHAR(255)             NOT NULL,
    payload          BYTEA                    NOT NULL,
    -- Safe inbound headers as a JSON object; credentials are never stored.
    headers          VARCHAR(65535)           NOT NULL,
    status           VARCHAR(16)              NOT NULL,
    attempts         INTEGER                  DEFAULT 0 NOT NULL,
    received_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    next_attempt_at  TIMESTAMP WITH TIME ZONE,
    delivered_at     TIMESTAMP WITH TIME ZONE,
    last_error       VARCHAR(2000)
);

CREATE UNIQUE INDEX ux_message_idempotency ON message (partner, event, idempotency_key);
CREATE INDEX ix_message_status_due ON message (status, next_attempt_at);
CREATE INDEX ix_message_partner_status ON message (partner, status);
