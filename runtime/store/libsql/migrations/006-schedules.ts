/** Migration 6: schedules, from flows' cron triggers and from the API, with their next fire times. */
export const statements = [
  `CREATE TABLE schedules (
    id TEXT PRIMARY KEY,
    flow_name TEXT NOT NULL,
    source TEXT NOT NULL,
    trigger_index INTEGER,
    cron TEXT NOT NULL,
    timezone TEXT NOT NULL,
    input TEXT NOT NULL,
    paused INTEGER NOT NULL,
    next_fire_at INTEGER,
    last_fire_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  )`,
  'CREATE INDEX schedules_by_flow ON schedules (flow_name, id)',
  'CREATE INDEX schedules_due ON schedules (paused, next_fire_at)',
]
