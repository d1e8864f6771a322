/**
 * Migration 17: retention. Finished root runs by the time they ended (what
 * the sweeper deletes first), a run's descendants by their root (and whether
 * one is still active), idempotency keys by their run and refused starts by
 * time, so that each deletion finds its rows without a scan; and
 * `housekeeping`, a lease per background job in the database's clock, so
 * that one node sweeps at a time and another takes over when its lease
 * expires.
 *
 * Deleted rows leave free pages that SQLite reuses but never returns to the
 * file system unless auto_vacuum is on; databases made before have it off.
 * It is switched to INCREMENTAL (the sweeper then runs `PRAGMA
 * incremental_vacuum`), which takes a `VACUUM` to apply to an existing file:
 * it rewrites the whole file once (time and free disk space about the size of
 * the database) and cannot run inside the migration's transaction, so it runs
 * just before it (again, if a crash comes in between). The WAL the VACUUM
 * filled is truncated after it.
 */
export const beforeTransaction = [
  'PRAGMA auto_vacuum = INCREMENTAL',
  'VACUUM',
  'PRAGMA wal_checkpoint(TRUNCATE)',
]

export const statements = [
  'CREATE INDEX runs_finished_roots ON runs (finished_at, id) WHERE parent_run IS NULL AND finished_at IS NOT NULL',
  'CREATE INDEX runs_by_root ON runs (root_run, status) WHERE parent_run IS NOT NULL',
  'CREATE INDEX idempotency_keys_by_run ON idempotency_keys (run_id)',
  'CREATE INDEX refused_starts_by_time ON refused_starts (created_at)',
  `CREATE TABLE housekeeping (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    lease_until INTEGER NOT NULL
  )`,
]
