-- The payload and headers move to a table of their own, written once at intake and read when a message is delivered
-- or inspected. Every delivery step (lease, outcome, retry, dead letter, replay) updates the message row: with the
-- body inside it, each of those updates rewrote the body too (H2 copies and re-serializes the row's page; PostgreSQL
-- writes a new tuple with it unless it is large enough to be TOASTed), so a message was written three or four times
-- over. Now those rows are a few hundred bytes. No foreign key: intake inserts both rows in one transaction,
-- retention deletes both in one, and a foreign key would add an index probe to every insert.
-- Runs unchanged on H2 and PostgreSQL.

-- Nothing reads by (status, next_attempt_at) any more: claims and polls go by partner (ix_message_partner_due), and
-- the counts by status use ix_message_dead's status prefix. Each status change rewrote this index's entry too.
-- It goes first: on PostgreSQL, DROP INDEX locks the table until this migration commits, so a message that an
-- instance of the previous version commits meanwhile cannot miss the copy below and lose its body with the dropped
-- columns. (Such an instance's inserts fail from then on, with a 503 and never a 202: upgrade every instance together.)
DROP INDEX ix_message_status_due;

CREATE TABLE message_body (
    receipt_id VARCHAR(36)    NOT NULL PRIMARY KEY,
    payload    BYTEA          NOT NULL,
    -- Safe inbound headers as a JSON object; credentials are never stored.
    headers    VARCHAR(65535) NOT NULL
);

INSERT INTO message_body (receipt_id, payload, headers) SELECT receipt_id, payload, headers FROM message;

ALTER TABLE message DROP COLUMN payload;
ALTER TABLE message DROP COLUMN headers;
