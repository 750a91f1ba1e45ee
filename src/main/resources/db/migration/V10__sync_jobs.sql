-- Sync jobs (../shared/SYNC-JOBS.md). V9 is the reconciliation's covering index. Runs unchanged on H2 and PostgreSQL.

-- One row per job: its checkpoint, its schedule's next start, its pause switch and the lease that keeps one runner per
-- job across instances. The checkpoint changes only in the transaction that journals the page it ends (SyncJournal),
-- and only while the writer still holds the lease, so a runner that lost its lease cannot move it.
CREATE TABLE sync_job (
    partner          VARCHAR(63)              NOT NULL,
    job              VARCHAR(63)              NOT NULL,
    cursor_value     VARCHAR(255),
    cursor_id        VARCHAR(255),
    paused           BOOLEAN DEFAULT FALSE    NOT NULL,
    next_run_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    lease_owner      VARCHAR(200),
    lease_run_id     VARCHAR(36),
    lease_expires_at TIMESTAMP WITH TIME ZONE,
    last_run_at      TIMESTAMP WITH TIME ZONE,
    last_success_at  TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (partner, job)
);

-- One row per run, newest first by started_at; counters move with each page's commit. error: why the run stopped early
-- (the source's answer, a lost lease, backpressure), null when it read to the end.
CREATE TABLE sync_run (
    run_id      VARCHAR(36)              NOT NULL PRIMARY KEY,
    partner     VARCHAR(63)              NOT NULL,
    job         VARCHAR(63)              NOT NULL,
    owner       VARCHAR(200)             NOT NULL,
    cause       VARCHAR(16)              NOT NULL,
    started_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at TIMESTAMP WITH TIME ZONE,
    pages       INTEGER DEFAULT 0        NOT NULL,
    records     INTEGER DEFAULT 0        NOT NULL,
    journaled   INTEGER DEFAULT 0        NOT NULL,
    duplicates  INTEGER DEFAULT 0        NOT NULL,
    from_cursor VARCHAR(255),
    from_id     VARCHAR(255),
    error       VARCHAR(2000)
);

CREATE INDEX ix_sync_run_job ON sync_run (partner, job, started_at);
