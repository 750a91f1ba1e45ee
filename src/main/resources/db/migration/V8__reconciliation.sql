-- Reconciliation (../shared/ERP-AGENTS.md, "Reconciliation"): the lease that keeps one run per vendor across instances,
-- and one row per kind per run. Runs unchanged on H2 and PostgreSQL.

-- At most one row per vendor: the run holding the vendor. A crashed instance stops renewing expires_at, and the next
-- instance to ask takes the row over once it has expired; a finished run deletes its row.
CREATE TABLE erp_reconcile_lease (
    vendor     VARCHAR(63)              NOT NULL PRIMARY KEY,
    run_id     VARCHAR(36)              NOT NULL,
    owner      VARCHAR(200)             NOT NULL,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL
);

-- One row per kind of a run (warehouses, items, stock, in that order: position 0, 1, 2). finished_at is null while the
-- kind runs. error: why the kind stopped (the agent's answer, a timeout), or why the run was skipped.
CREATE TABLE erp_reconciliation (
    run_id      VARCHAR(36)              NOT NULL,
    kind        VARCHAR(16)              NOT NULL,
    vendor      VARCHAR(63)              NOT NULL,
    position    SMALLINT                 NOT NULL,
    cause       VARCHAR(16)              NOT NULL,
    started_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at TIMESTAMP WITH TIME ZONE,
    ranges      INTEGER DEFAULT 0        NOT NULL,
    requests    INTEGER DEFAULT 0        NOT NULL,
    fetched     INTEGER DEFAULT 0        NOT NULL,
    drifted     INTEGER DEFAULT 0        NOT NULL,
    repaired    INTEGER DEFAULT 0        NOT NULL,
    deleted     INTEGER DEFAULT 0        NOT NULL,
    error       VARCHAR(2000),
    PRIMARY KEY (run_id, kind)
);

CREATE INDEX erp_reconciliation_vendor ON erp_reconciliation (vendor, started_at);
