/** Migration 4: starts that a trigger's `when` guard refused, with the reason. */
export const statements = [
  `CREATE TABLE refused_starts (
    id TEXT PRIMARY KEY,
    flow_name TEXT NOT NULL,
    flow_version INTEGER NOT NULL,
    trigger TEXT NOT NULL,
    input TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL
  )`,
  'CREATE INDEX refused_starts_by_flow ON refused_starts (flow_name, created_at, id)',
]
