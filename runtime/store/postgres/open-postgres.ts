/**
 * Opens a PostgreSQL database for the store: one query to learn that it can
 * be reached (a one-line error naming the URL, its password masked, when it
 * cannot), then the numbered migrations, each applied once in its own
 * transaction while a session advisory lock keeps other nodes starting at the
 * same moment from applying them too. A database whose schema is newer than
 * this node knows is refused: an older node must not write to it.
 */
import type pg from 'pg'
import { WeirError } from '../../errors.js'
import { latestVersion } from '../sql/migration.js'
import { migrations } from './migrations/index.js'
import { createPool, type PoolOptions } from './pg-client.js'
import { maskUrl } from './postgres-faults.js'

/** The advisory lock key migrations are applied under ("weir" in ASCII). */
const migrationLock = 0x77656972

/** Why a connection failed, in words: the server's message, or the socket's code. */
function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const code = (error as { code?: unknown }).code
  if (error instanceof AggregateError && error.errors.length > 0) return reason(error.errors[0])
  return error.message || (typeof code === 'string' ? code : 'unknown error')
}

async function migrate(pool: pg.Pool): Promise<void> {
  const connection = await pool.connect()
  try {
    await connection.query('SELECT pg_advisory_lock($1)', [migrationLock])
    await connection.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    )
    const applied = new Set(
      (await connection.query('SELECT version FROM schema_migrations')).rows.map((row) =>
        Number(row.version),
      ),
    )
    const known = latestVersion(migrations)
    const newest = Math.max(0, ...applied)
    if (newest > known)
      throw new WeirError(
        'internal',
        `the database's schema is at version ${newest}, newer than this weir knows (${known}): upgrade weir`,
      )
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue
      await connection.query('BEGIN')
      try {
        for (const statement of migration.statements) await connection.query(statement)
        await connection.query(
          'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
          [migration.version, migration.name, Date.now()],
        )
        await connection.query('COMMIT')
      } catch (error) {
        await connection.query('ROLLBACK')
        throw error
      }
    }
  } finally {
    await connection.query('SELECT pg_advisory_unlock($1)', [migrationLock]).catch(() => undefined)
    connection.release()
  }
}

/** A migrated pool, or a `storage_unavailable` error naming the (masked) URL and the reason. */
export async function openPostgres(
  options: PoolOptions,
  onConnectionError: (error: Error) => void,
): Promise<pg.Pool> {
  const pool = createPool(options, onConnectionError)
  try {
    await pool.query('SELECT 1')
  } catch (error) {
    await pool.end().catch(() => undefined)
    throw new WeirError(
      'storage_unavailable',
      `cannot connect to the database at ${maskUrl(options.url)}: ${reason(error)}`,
      [],
      error,
    )
  }
  try {
    await migrate(pool)
  } catch (error) {
    await pool.end().catch(() => undefined)
    throw error
  }
  return pool
}
