/**
 * Migration 12: requests for a run that another node drives — an operation,
 * an event, a callback — recorded by the node that received them, applied by
 * the run's owner (which takes it first, so that it is applied once or
 * withdrawn), which stores the answer the receiving node then gives.
 */
export const statements = [
  `CREATE TABLE run_requests (
    id TEXT PRIMARY KEY,
    run_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    taken_at INTEGER,
    answered_at INTEGER,
    answer TEXT
  )`,
  'CREATE INDEX run_requests_pending ON run_requests (run_id, answered_at)',
]
