/** Migration 1: components, tasks, flows, runs, step runs, attempts, events, idempotency keys. */
export const statements = [
  `CREATE TABLE components (
    sha256 TEXT PRIMARY KEY,
    bytes BLOB NOT NULL,
    size INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  )`,
  `CREATE TABLE tasks (
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    component TEXT NOT NULL REFERENCES components(sha256),
    document TEXT NOT NULL,
    binding TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (name, version)
  )`,
  `CREATE TABLE flows (
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    process TEXT NOT NULL,
    document TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (name, version)
  )`,
  'CREATE INDEX flows_by_process ON flows (process, name)',
  `CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    flow_name TEXT NOT NULL,
    flow_version INTEGER NOT NULL,
    process TEXT NOT NULL,
    status TEXT NOT NULL,
    input TEXT NOT NULL,
    output TEXT,
    error TEXT,
    current_step TEXT,
    attempt INTEGER NOT NULL,
    step_seq INTEGER NOT NULL,
    step_runs INTEGER NOT NULL,
    previous_step TEXT,
    wake_at INTEGER,
    deadline INTEGER,
    event_seq INTEGER NOT NULL,
    idempotency_key TEXT,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    updated_at INTEGER NOT NULL
  )`,
  'CREATE INDEX runs_by_created ON runs (created_at, id)',
  'CREATE INDEX runs_by_flow ON runs (flow_name, created_at, id)',
  'CREATE INDEX runs_by_status ON runs (status, created_at, id)',
  'CREATE INDEX runs_by_process ON runs (process, created_at, id)',
  `CREATE TABLE step_runs (
    run_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    step_id TEXT NOT NULL,
    status TEXT NOT NULL,
    task_name TEXT,
    task_version INTEGER,
    input TEXT,
    output TEXT,
    error TEXT,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    PRIMARY KEY (run_id, seq)
  ) WITHOUT ROWID`,
  `CREATE TABLE attempts (
    run_id TEXT NOT NULL,
    step_seq INTEGER NOT NULL,
    number INTEGER NOT NULL,
    status TEXT NOT NULL,
    input TEXT,
    output TEXT,
    error TEXT,
    log TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER NOT NULL,
    PRIMARY KEY (run_id, step_seq, number)
  ) WITHOUT ROWID`,
  `CREATE TABLE events (
    run_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    at INTEGER NOT NULL,
    step_id TEXT,
    data TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
  ) WITHOUT ROWID`,
  `CREATE TABLE idempotency_keys (
    flow_name TEXT NOT NULL,
    key TEXT NOT NULL,
    run_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (flow_name, key)
  ) WITHOUT ROWID`,
]
