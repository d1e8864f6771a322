/**
 * The PostgreSQL schema as of libSQL's migration 10, in one migration: the
 * migrations after it carry the same numbers on both databases, so a schema
 * version means the same everywhere. Times are epoch milliseconds (BIGINT);
 * JSON is kept as text, written and read exactly as on libSQL.
 */
export const statements = [
  `CREATE TABLE components (
    sha256 TEXT PRIMARY KEY,
    bytes BYTEA NOT NULL,
    size BIGINT NOT NULL,
    created_at BIGINT NOT NULL
  )`,
  `CREATE TABLE tasks (
    name TEXT NOT NULL,
    version BIGINT NOT NULL,
    component TEXT NOT NULL REFERENCES components(sha256),
    document TEXT NOT NULL,
    binding TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    published_by TEXT,
    PRIMARY KEY (name, version)
  )`,
  `CREATE TABLE flows (
    name TEXT NOT NULL,
    version BIGINT NOT NULL,
    process TEXT NOT NULL,
    document TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (name, version)
  )`,
  'CREATE INDEX flows_by_process ON flows (process, name)',
  `CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    flow_name TEXT NOT NULL,
    flow_version BIGINT NOT NULL,
    process TEXT NOT NULL,
    status TEXT NOT NULL,
    input TEXT NOT NULL,
    output TEXT,
    error TEXT,
    current_step TEXT,
    attempt BIGINT NOT NULL,
    step_seq BIGINT NOT NULL,
    step_runs BIGINT NOT NULL,
    previous_step TEXT,
    wake_at BIGINT,
    deadline BIGINT,
    event_seq BIGINT NOT NULL,
    idempotency_key TEXT,
    created_at BIGINT NOT NULL,
    started_at BIGINT,
    finished_at BIGINT,
    updated_at BIGINT NOT NULL,
    waiting TEXT
  )`,
  'CREATE INDEX runs_by_created ON runs (created_at, id)',
  'CREATE INDEX runs_by_flow ON runs (flow_name, created_at, id)',
  'CREATE INDEX runs_by_status ON runs (status, created_at, id)',
  'CREATE INDEX runs_by_process ON runs (process, created_at, id)',
  `CREATE TABLE step_runs (
    run_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    step_id TEXT NOT NULL,
    status TEXT NOT NULL,
    task_name TEXT,
    task_version BIGINT,
    input TEXT,
    output TEXT,
    error TEXT,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    callback TEXT,
    PRIMARY KEY (run_id, seq)
  )`,
  `CREATE TABLE attempts (
    run_id TEXT NOT NULL,
    step_seq BIGINT NOT NULL,
    number BIGINT NOT NULL,
    status TEXT NOT NULL,
    input TEXT,
    output TEXT,
    error TEXT,
    log TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT NOT NULL,
    PRIMARY KEY (run_id, step_seq, number)
  )`,
  `CREATE TABLE events (
    run_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    type TEXT NOT NULL,
    at BIGINT NOT NULL,
    step_id TEXT,
    data TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
  )`,
  `CREATE TABLE idempotency_keys (
    flow_name TEXT NOT NULL,
    key TEXT NOT NULL,
    run_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (flow_name, key)
  )`,
  `CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
  )`,
  `CREATE TABLE refused_starts (
    id TEXT PRIMARY KEY,
    flow_name TEXT NOT NULL,
    flow_version BIGINT NOT NULL,
    trigger TEXT NOT NULL,
    input TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    code TEXT NOT NULL DEFAULT 'guard_error'
  )`,
  'CREATE INDEX refused_starts_by_flow ON refused_starts (flow_name, created_at, id)',
  `CREATE TABLE schedules (
    id TEXT PRIMARY KEY,
    flow_name TEXT NOT NULL,
    source TEXT NOT NULL,
    trigger_index BIGINT,
    cron TEXT NOT NULL,
    timezone TEXT NOT NULL,
    input TEXT NOT NULL,
    paused BIGINT NOT NULL,
    next_fire_at BIGINT,
    last_fire_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
  )`,
  'CREATE INDEX schedules_by_flow ON schedules (flow_name, id)',
  'CREATE INDEX schedules_due ON schedules (paused, next_fire_at)',
  `CREATE TABLE storage_probe (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at BIGINT NOT NULL,
    pad BYTEA NOT NULL
  )`,
  `CREATE TABLE secrets (
    name TEXT PRIMARY KEY,
    sealed BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
  )`,
  'CREATE TABLE secret_check (id BIGINT PRIMARY KEY CHECK (id = 1), sealed BYTEA NOT NULL)',
]
