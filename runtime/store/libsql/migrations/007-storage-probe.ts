/** Migration 7: a table the storage probe writes to (and empties) to learn whether writes work again. */
export const statements = [
  'CREATE TABLE storage_probe (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, pad BLOB NOT NULL)',
]
