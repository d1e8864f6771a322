/**
 * Opens a libSQL database: a local file by default (WAL journal,
 * `synchronous=NORMAL`, or `FULL` for strict durability) or `:memory:`;
 * applies the numbered migrations; and retries writes that meet SQLITE_BUSY
 * from another process, so that users never see it. The client keeps one
 * connection: the PRAGMAs set here are per connection, and a second one
 * (which @libsql/client opens on demand) would run without them.
 */
import { type Client, createClient, type InStatement } from '@libsql/client'
import { WeirError } from '../../errors.js'
import { latestVersion } from '../sql/migration.js'
import { migrations } from './migrations/index.js'

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

/** A write transaction of several statements, retried on SQLITE_BUSY. */
export function writeBatch(client: Client, statements: InStatement[]) {
  return retryBusy(() => client.batch(statements, 'write'))
}

async function applyMigrations(client: Client): Promise<void> {
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

export async function openDatabase(options: DatabaseOptions): Promise<Client> {
  // Every statement runs synchronously on the one thread, so one connection costs no parallelism.
  const client = createClient({ url: options.url, concurrency: 1 })
  const file = options.url !== ':memory:' && !options.url.includes('mode=memory')
  await retryBusy(() => client.execute('PRAGMA busy_timeout = 5000'))
  if (file) await retryBusy(() => client.execute('PRAGMA journal_mode = WAL'))
  await client.execute(
    `PRAGMA synchronous = ${options.durability === 'strict' ? 'FULL' : 'NORMAL'}`,
  )
  await client.execute('PRAGMA foreign_keys = ON')
  await applyMigrations(client)
  return client
}
