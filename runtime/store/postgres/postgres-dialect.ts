/** PostgreSQL's SQL where it differs from libSQL's (see SqlDialect). */
import type { SqlDialect } from '../sql/sql-client.js'

export const postgresDialect: SqlDialect = {
  name: 'postgres',
  lockKey: (key) => [{ sql: 'SELECT pg_advisory_xact_lock(hashtext(?))', args: [key] }],
  nowMs: 'CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)',
  skipLocked: ' FOR UPDATE SKIP LOCKED',
  forUpdate: ' FOR UPDATE',
  // A cast of text that is not a number is an error, raised only when the condition fails.
  failUnless: (condition) => `CAST(CASE WHEN ${condition} THEN '1' ELSE 'fenced' END AS INTEGER)`,
}
