/**
 * Migration 10: secrets, each value sealed with AES-256-GCM (the server's key
 * never reaches the database), and one check value sealed with the same key,
 * so a server started with another key refuses to start instead of failing
 * at each attempt.
 */
export const statements = [
  `CREATE TABLE secrets (
    name TEXT PRIMARY KEY,
    sealed BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  )`,
  'CREATE TABLE secret_check (id INTEGER PRIMARY KEY CHECK (id = 1), sealed BLOB NOT NULL)',
]
