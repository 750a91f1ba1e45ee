-- ix_message_partner_due (partner, status, next_attempt_at) serves every query that ix_message_partner_status
-- (partner, status) served, as its prefix. Each index is one more B-tree write per insert and per status change,
-- and status changes are the hot path of delivery.
DROP INDEX ix_message_partner_status;
