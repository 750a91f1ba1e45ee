-- Orders to ERP agents (../shared/ERP-AGENTS.md, "Orders to the agent"). Runs unchanged on H2 and PostgreSQL.

-- 'awaiting-callback' is 17 characters: an order the agent took (2xx) and has not yet confirmed.
ALTER TABLE message ALTER COLUMN status SET DATA TYPE VARCHAR(32);
ALTER TABLE delivery_attempt ALTER COLUMN outcome SET DATA TYPE VARCHAR(32);

-- The vendor whose agent a route sent this message to, set before the call: a callback is accepted only from that
-- vendor's agent, and one may arrive before the hub has recorded the agent's 2xx.
ALTER TABLE message ADD COLUMN agent_vendor VARCHAR(63);

-- {"erpReference","erpDocumentId"} once the agent's callback completed the order; shown on its receipt.
ALTER TABLE message ADD COLUMN result VARCHAR(2000);

-- The callback an agent sent for a message, kept until it is applied (a callback that overtook the hub's record of the
-- agent's 2xx) and then as the order's final word, so a repeat is recognised and a contradiction refused.
CREATE TABLE agent_callback (
    receipt_id      VARCHAR(36)              NOT NULL PRIMARY KEY,
    vendor          VARCHAR(63)              NOT NULL,
    status          VARCHAR(16)              NOT NULL,
    erp_reference   VARCHAR(255),
    erp_document_id VARCHAR(255),
    error_code      VARCHAR(255),
    error_message   VARCHAR(2000),
    retryable       BOOLEAN,
    received_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    applied         BOOLEAN                  NOT NULL
);
