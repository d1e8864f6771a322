/**
 * Opens a libSQL database: a local file by default (WAL journal,
 * `synchronous=NORMAL`, or `FULL` for strict durability) or `:memory:`;
 * applies the numbered migrations; and retries writes that meet SQLITE_BUSY
 * from another process, so that users never see it. Every write goes through
 * one connection on the database thread (its PRAGMAs are per connection);
 * a file is read through a second connection on the main thread, which in
 * WAL mode neither waits for the writer nor makes it wait.
 */
import { WeirError } from '../../errors.js'
import { latestVersion } from '../sql/migration.js'
import type { SqlResult, SqlStatement } from '../sql/sql-client.js'
import { Connection } from './connection.js'
import { migrations } from './migrations/index.js'
import { ThreadConnection } from './thread-connection.js'

export type Durability = 'normal' | 'strict'

export interface DatabaseOptions {
  /** A libSQL URL: `file:./.weir/weir.db`, `:memory:`. */
  readonly url: string
  readonly durability?: Durability
}

/** SQLITE_BUSY: another process holds the write lock. */
export function isBusy(error: unknown): boolean {
  const e = error as { code?: string; message?: string; cause?: { code?: string } }
  const text = `${e.code ?? ''} ${e.cause?.code ?? ''} ${e.message ?? ''}`
  return /SQLITE_BUSY|SQLITE_LOCKED|database is locked/i.test(text)
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Runs `work`, retrying while another connection holds the write lock (up to ~30 s). */
export async function retryBusy<T>(work: () => Promise<T>): Promise<T> {
  let delay = 2
  for (let waited = 0; ; ) {
    try {
      return await work()
    } catch (error) {
      if (!isBusy(error) || waited > 30_000) throw error
      const pause = delay + Math.random() * delay
      await sleep(pause)
      waited += pause
      delay = Math.min(delay * 2, 200)
    }
  }
}

/** What migrations need of a connection: single statements and write transactions. */
interface MigrationTarget {
  execute(statement: SqlStatement | string): Promise<SqlResult>
  batch(statements: readonly (SqlStatement | string)[], mode: 'write'): Promise<SqlResult[]>
}

/** A write transaction of several statements, retried on SQLITE_BUSY. */
function writeBatch(target: MigrationTarget, statements: readonly (SqlStatement | string)[]) {
  return retryBusy(() => target.batch(statements, 'write'))
}

async function applyMigrations(client: MigrationTarget): Promise<void> {
  await writeBatch(client, [
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  ])
  const newest = Number(
    (await client.execute('SELECT MAX(version) AS v FROM schema_migrations')).rows[0]?.v ?? 0,
  )
  if (newest > latestVersion(migrations))
    throw new WeirError(
      'internal',
      `the database's schema is at version ${newest}, newer than this weir knows (${latestVersion(migrations)}): upgrade weir`,
    )
  for (const migration of migrations) {
    const applied = await client.execute({
      sql: 'SELECT 1 FROM schema_migrations WHERE version = ?',
      args: [migration.version],
    })
    if (applied.rows.length > 0) continue
    for (const statement of migration.beforeTransaction ?? [])
      await retryBusy(() => client.execute(statement))
    try {
      await writeBatch(client, [
        ...migration.statements,
        {
          sql: 'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
          args: [migration.version, migration.name, Date.now()],
        },
      ])
    } catch (error) {
      const raced = await client.execute({
        sql: 'SELECT 1 FROM schema_migrations WHERE version = ?',
        args: [migration.version],
      })
      if (raced.rows.length === 0) throw error
    }
  }
}

/** An open libSQL database: its writer on the database thread, and a reader on this thread for a file. */
export interface LibsqlDatabase {
  readonly writer: ThreadConnection
  /** Absent for an in-memory database, which exists on one connection only: the writer reads too. */
  readonly reader: Connection | undefined
}

/** The path the driver opens for a libSQL URL: `:memory:`, `file:relative/path`, `file:/abs`, `file:///abs`. */
export function databasePath(url: string): string {
  if (url === ':memory:') return url
  const match = /^file:(?:\/\/(?:localhost)?(?=\/))?(.+)$/i.exec(url)
  if (!match?.[1] || url.includes('?'))
    throw new WeirError(
      'invalid_request',
      `the database URL ${JSON.stringify(url)} is not a libSQL file URL: expected file:<path> (or :memory:, or a postgres:// URL)`,
    )
  return decodeURIComponent(match[1])
}

export async function openDatabase(options: DatabaseOptions): Promise<LibsqlDatabase> {
  const path = databasePath(options.url)
  const file = path !== ':memory:'
  const writer = await retryBusy(() =>
    ThreadConnection.open(path, [
      'PRAGMA busy_timeout = 5000',
      ...(file ? ['PRAGMA journal_mode = WAL'] : []),
      `PRAGMA synchronous = ${options.durability === 'strict' ? 'FULL' : 'NORMAL'}`,
      'PRAGMA foreign_keys = ON',
    ]),
  )
  try {
    await applyMigrations(writer)
    if (!file) return { writer, reader: undefined }
    const reader = new Connection(path)
    reader.exec('PRAGMA busy_timeout = 5000')
    reader.exec('PRAGMA query_only = 1')
    return { writer, reader }
  } catch (error) {
    await writer.close()
    throw error
  }
}
