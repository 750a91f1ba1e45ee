-- A message that met an open circuit breaker is parked on that target ('<partner>/<target>') until the breaker lets
-- calls through, instead of being dispatched again every open period only to be postponed again. No index: only the
-- breaker sweeps read it, by partner and status through ix_message_partner_due, and an index here would cost every
-- intake insert an entry. Runs unchanged on H2 and PostgreSQL.
ALTER TABLE message ADD COLUMN parked_on VARCHAR(200);
