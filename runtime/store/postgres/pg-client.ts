/**
 * PostgreSQL through a `pg` connection pool, as the SQL store uses it: `?`
 * placeholders numbered, BIGINT read as numbers, a write transaction on one
 * pooled connection (BEGIN … COMMIT), reads of one snapshot, and every
 * storage fault turned into `storage_unavailable` (and told to storage health).
 */
import pg from 'pg'
import type { SqlClient, SqlResult, SqlStatement } from '../sql/sql-client.js'
import type { StorageHealth } from '../storage-health.js'
import { numbered } from './placeholders.js'
import { postgresFault } from './postgres-faults.js'

/** BIGINT (OID 20) as a JavaScript number: weir's integers are times and counters far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
}

export interface PoolOptions {
  readonly url: string
  /** Most connections open at once. */
  readonly max?: number
}

/**
 * How long the server lets a connection sit in a transaction without a
 * statement before it ends the session. weir's transactions take
 * milliseconds; one that idles this long belongs to a node that was paused or
 * cut off mid-commit, and its row locks (the fence's FOR UPDATE) would keep
 * every other node from claiming those runs (claims skip locked rows). Ending
 * it releases them: the runs are taken over, and the paused node, resumed,
 * finds its connection gone and its commit fenced.
 */
export const idleInTransactionMs = 5000

/** A pool that does not connect yet; its connections' errors are reported, never thrown. */
export function createPool(
  options: PoolOptions,
  onConnectionError: (error: Error) => void,
): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    idle_in_transaction_session_timeout: idleInTransactionMs,
    types,
  })
  // A connection that dies (the server restarted) must not crash the process,
  // whether idle in the pool or checked out between two queries of a transaction:
  // the pool drops it, and the query in flight (if any) fails with the fault.
  pool.on('error', onConnectionError)
  pool.on('connect', (client) => client.on('error', onConnectionError))
  return pool
}

/**
 * Each statement text gets a name, so that each connection parses and plans
 * it once (a prepared statement) and then only binds and executes it. The
 * texts are a small fixed set (multi-row ones by row count, list filters by
 * combination); past the cap, new texts go unnamed.
 */
const names = new Map<string, string>()
const maxNames = 5000
const named = (text: string): string | undefined => {
  const known = names.get(text)
  if (known !== undefined || names.size >= maxNames) return known
  const name = `weir_${names.size}`
  names.set(text, name)
  return name
}

const query = (s: SqlStatement | string): pg.QueryConfig => {
  if (typeof s === 'string') return { text: s }
  const text = numbered(s.sql)
  const name = named(text)
  return { text, values: (s.args ?? []) as unknown[], ...(name ? { name } : {}) }
}

const result = (r: pg.QueryResult): SqlResult => ({ rows: r.rows, rowsAffected: r.rowCount ?? 0 })

export class PgClient implements SqlClient {
  readonly #pool: pg.Pool
  readonly #health: StorageHealth

  constructor(pool: pg.Pool, health: StorageHealth) {
    this.#pool = pool
    this.#health = health
  }

  /** The error to throw for `error`: its storage fault (now recorded), or itself. */
  #fault(error: unknown): unknown {
    const fault = postgresFault(error)
    if (!fault) return error
    this.#health.failed(fault)
    return fault
  }

  async execute(statement: SqlStatement | string): Promise<SqlResult> {
    try {
      return result(await this.#pool.query(query(statement)))
    } catch (error) {
      throw this.#fault(error)
    }
  }

  /** Statements between `begin` and COMMIT on one connection; rolled back (or the connection dropped) on error. */
  async #transaction(
    begin: string,
    statements: readonly (SqlStatement | string)[],
  ): Promise<SqlResult[]> {
    let connection: pg.PoolClient | undefined
    try {
      connection = await this.#pool.connect()
      await connection.query(begin)
      const results: SqlResult[] = []
      for (const s of statements) results.push(result(await connection.query(query(s))))
      await connection.query('COMMIT')
      connection.release()
      return results
    } catch (error) {
      if (connection) {
        const c = connection
        // A connection whose rollback fails is broken: it leaves the pool.
        await c.query('ROLLBACK').then(
          () => c.release(),
          (e: Error) => c.release(e),
        )
      }
      throw this.#fault(error)
    }
  }

  async write(statements: readonly (SqlStatement | string)[]): Promise<SqlResult[]> {
    // One statement is a transaction by itself: no BEGIN and COMMIT round trips.
    const [only] = statements
    const results =
      statements.length === 1 && only !== undefined
        ? [await this.execute(only)]
        : await this.#transaction('BEGIN', statements)
    this.#health.succeeded()
    return results
  }

  read(statements: readonly (SqlStatement | string)[]): Promise<SqlResult[]> {
    return this.#transaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', statements)
  }

  busy(): boolean {
    return false
  }

  async close(): Promise<void> {
    await this.#pool.end()
  }
}
