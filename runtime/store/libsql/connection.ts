/**
 * One libSQL connection, used synchronously by the thread that owns it: the
 * database thread's writer (database-thread.ts), or a file's reader on the
 * main thread. Statements are prepared once and kept (the most recent 256
 * texts), so the hot path binds and steps a statement SQLite already compiled.
 * Transactions are explicit: a write batch begins IMMEDIATE (it takes the
 * write lock first, so it never fails half-way for another writer), a read
 * batch DEFERRED; either rolls back if one of its statements fails.
 */
import Database from 'libsql'
import type { SqlResult, SqlStatement, SqlValue } from '../sql/sql-client.js'

type Prepared = ReturnType<InstanceType<typeof Database>['prepare']>

interface Cached {
  readonly statement: Prepared
  /** Whether it returns rows (a SELECT, a RETURNING clause, some PRAGMAs). */
  readonly reader: boolean
}

/** Statement texts kept prepared per connection. */
const cacheSize = 256

const noArgs: readonly SqlValue[] = []

export class Connection {
  readonly #db: InstanceType<typeof Database>
  readonly #cache = new Map<string, Cached>()

  constructor(path: string, options: { readonly?: boolean } = {}) {
    this.#db = new Database(path, { readonly: options.readonly ?? false })
  }

  #prepared(sql: string): Cached {
    const hit = this.#cache.get(sql)
    if (hit) return hit
    const statement = this.#db.prepare(sql)
    const cached = { statement, reader: statement.reader }
    if (this.#cache.size >= cacheSize) {
      const oldest = this.#cache.keys().next().value
      if (oldest !== undefined) this.#cache.delete(oldest)
    }
    this.#cache.set(sql, cached)
    return cached
  }

  /** One statement: its rows, or how many rows it changed (0 for a statement that returns rows, as libSQL's client says). */
  run(statement: SqlStatement | string): SqlResult {
    const { sql, args } =
      typeof statement === 'string' ? { sql: statement, args: noArgs } : statement
    const { statement: prepared, reader } = this.#prepared(sql)
    const bound = args ?? noArgs
    if (reader) return { rows: prepared.all(bound) as SqlResult['rows'], rowsAffected: 0 }
    return { rows: [], rowsAffected: prepared.run(bound).changes }
  }

  /** Statements in one transaction (`write`: taking the write lock at once); all commit or none. */
  batch(statements: readonly (SqlStatement | string)[], mode: 'write' | 'read'): SqlResult[] {
    // A transaction a failed ROLLBACK left open would refuse every BEGIN after it.
    this.#rollBack()
    // BEGIN and COMMIT are statements kept prepared too: `exec` would compile them each time.
    this.run(mode === 'write' ? 'BEGIN IMMEDIATE' : 'BEGIN DEFERRED')
    try {
      const results = statements.map((s) => this.run(s))
      this.run('COMMIT')
      return results
    } catch (error) {
      this.#rollBack()
      throw error
    }
  }

  /** Rolls back a transaction still open; a ROLLBACK that fails too leaves the error that led here to be thrown. */
  #rollBack(): void {
    try {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK')
    } catch {}
  }

  /** SQL text of one or more statements, run to their end with rows discarded. */
  exec(sql: string): void {
    this.#db.exec(sql)
  }

  close(): void {
    this.#cache.clear()
    this.#db.close()
  }
}
