/**
 * Migration 16: the audit log. Every mutating API call is recorded with the
 * key that made it (id, name, role), what it did to what, how it ended, when
 * and on which node; read newest first by time (and id).
 */
export const statements = [
  `CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    key_id TEXT,
    key_name TEXT,
    role TEXT,
    action TEXT NOT NULL,
    target TEXT,
    outcome TEXT NOT NULL,
    status BIGINT NOT NULL,
    node TEXT NOT NULL,
    details TEXT
  )`,
  'CREATE INDEX audit_log_by_time ON audit_log (at, id)',
]
