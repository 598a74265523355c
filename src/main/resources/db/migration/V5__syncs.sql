-- Scheduled syncs: one lease per sync, so two hubs never run the same sync at once, and a record of every run.
CREATE TABLE sync_leases (
    name        VARCHAR(64) PRIMARY KEY,
    owner       VARCHAR(64) NOT NULL,
    expires_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE TABLE sync_runs (
    id           VARCHAR(40) PRIMARY KEY,
    name         VARCHAR(64) NOT NULL,
    owner        VARCHAR(64) NOT NULL,
    status       VARCHAR(16) NOT NULL,
    total        INTEGER     NOT NULL,
    synced       INTEGER     NOT NULL,
    errors       INTEGER     NOT NULL,
    error        TEXT,
    started_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at  TIMESTAMP WITH TIME ZONE
);
CREATE INDEX sync_runs_name ON sync_runs (name, started_at);
