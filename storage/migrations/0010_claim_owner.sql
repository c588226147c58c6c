-- 0010 (issue 17): who claimed a publication, and which instances are alive.
-- `claimed_by` is the claiming process's instance id (a uuid made at start; '' for claims made
-- before this version: their owner is unknown, hence dead). Each instance refreshes its
-- `instances.heartbeat_at` every few seconds; recovery holds only the `publishing` rows whose
-- owner's heartbeat is older than a timeout, so one instance starting does not hold another's
-- send in flight.

ALTER TABLE publications ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';

CREATE TABLE instances (
    id           TEXT PRIMARY KEY,
    started_at   TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL
);
