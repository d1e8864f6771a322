/**
 * Migration 11 (PostgreSQL): run ownership in the store. Each run carries the node that
 * drives it, until when (its lease, in the database's clock) and an epoch
 * that every claim increments and every commit is fenced by; nodes record
 * themselves and their heartbeats. Runs active before it are unowned (epoch
 * 0): the first node to claim them takes them.
 */
export const statements = [
  'ALTER TABLE runs ADD COLUMN owner TEXT',
  'ALTER TABLE runs ADD COLUMN lease_until BIGINT',
  'ALTER TABLE runs ADD COLUMN epoch BIGINT NOT NULL DEFAULT 0',
  'CREATE INDEX runs_by_owner ON runs (owner)',
  `CREATE TABLE nodes (
    id TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    pid BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL,
    stopped_at BIGINT
  )`,
]
