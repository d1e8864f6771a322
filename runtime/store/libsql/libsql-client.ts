/**
 * The libSQL database as the SQL store uses it: every statement and batch
 * passes through here, so a storage fault anywhere (a read or a write)
 * becomes one `storage_unavailable` error and marks storage unavailable, and
 * every write transaction that commits marks it ok again. Writes go to the
 * database thread and are retried when they meet SQLITE_BUSY from another
 * process (open-database.ts). Reads of a file run here, synchronously, on
 * their own connection: a SELECT takes microseconds from pages in memory and
 * never waits for the writer's fsync. Anything but a SELECT goes to the writer.
 *
 * A read issued while writes are outstanding runs on the database thread
 * instead, behind them: the writer's commit is visible to the reader
 * connection before its answer crosses back, and a caller who sees a run
 * waiting must find the engine knowing it waits. The thread answers in order,
 * and the microtasks of one answer run before the next answer is handled, so
 * such a read is answered after what the engine did with those writes. When
 * no write is outstanding, a read runs here at once.
 */
import { WeirError } from '../../errors.js'
import type { SqlClient, SqlResult, SqlStatement } from '../sql/sql-client.js'
import type { StorageHealth } from '../storage-health.js'
import type { Connection } from './connection.js'
import { isBusy, type LibsqlDatabase, retryBusy } from './open-database.js'
import { storageFault } from './storage-faults.js'
import type { ThreadConnection } from './thread-connection.js'

const isSelect = (statement: SqlStatement | string): boolean =>
  /^\s*SELECT\b/i.test(typeof statement === 'string' ? statement : statement.sql)

export class LibsqlClient implements SqlClient {
  readonly #writer: ThreadConnection
  readonly #reader: Connection | undefined
  readonly #health: StorageHealth
  #closed = false
  /** Writes issued and not yet answered. */
  #outstanding = 0

  constructor(database: LibsqlDatabase, health: StorageHealth) {
    this.#writer = database.writer
    this.#reader = database.reader
    this.#health = health
  }

  /** The error to throw for `error`: its storage fault (now recorded), or itself. */
  #fault(error: unknown): unknown {
    if (this.#closed) return new WeirError('internal', 'the database is closed')
    const fault = storageFault(error)
    if (!fault) return error
    this.#health.failed(fault)
    return fault
  }

  /** Counts a write as outstanding until it is answered, so that reads issued meanwhile go behind it. */
  async #tracked<T>(write: Promise<T>): Promise<T> {
    this.#outstanding++
    try {
      return await write
    } finally {
      this.#outstanding--
    }
  }

  /** The connection a read runs on now: this thread's, unless writes are outstanding (or there is none). */
  #readerNow(): Connection | undefined {
    return this.#outstanding === 0 ? this.#reader : undefined
  }

  async execute(statement: SqlStatement | string): Promise<SqlResult> {
    try {
      if (!isSelect(statement)) return await this.#tracked(this.#writer.execute(statement))
      const reader = this.#readerNow()
      return reader ? reader.run(statement) : await this.#writer.execute(statement)
    } catch (error) {
      throw this.#fault(error)
    }
  }

  async write(statements: readonly (SqlStatement | string)[]): Promise<SqlResult[]> {
    try {
      const results = await this.#tracked(retryBusy(() => this.#writer.batch(statements, 'write')))
      this.#health.succeeded()
      return results
    } catch (error) {
      throw this.#fault(error)
    }
  }

  async read(statements: readonly (SqlStatement | string)[]): Promise<SqlResult[]> {
    try {
      const reader = this.#readerNow()
      return reader
        ? reader.batch(statements, 'read')
        : await this.#writer.batch(statements, 'read')
    } catch (error) {
      throw this.#fault(error)
    }
  }

  async exec(sql: string): Promise<void> {
    try {
      await this.#tracked(retryBusy(() => this.#writer.exec(sql)))
      this.#health.succeeded()
    } catch (error) {
      throw this.#fault(error)
    }
  }

  busy(error: unknown): boolean {
    return isBusy(error)
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#reader?.close()
    await this.#writer.close()
  }
}
