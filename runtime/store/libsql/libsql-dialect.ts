/** libSQL's SQL where it differs from PostgreSQL's (see SqlDialect). */
import type { SqlDialect } from '../sql/sql-client.js'

export const libsqlDialect: SqlDialect = {
  name: 'libsql',
  // One writer at a time: nothing to lock.
  lockKey: () => [],
  nowMs: "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)",
  skipLocked: '',
  forUpdate: '',
  // json() of text that is not JSON is an error; evaluated only when the condition fails.
  failUnless: (condition) => `json(CASE WHEN ${condition} THEN '1' ELSE 'fenced' END)`,
}
