/**
 * The libSQL database as the SQL store uses it: every statement and batch
 * passes through here, so a storage fault anywhere (a read or a write)
 * becomes one `storage_unavailable` error and marks storage unavailable, and
 * every write transaction that commits marks it ok again. Writes that meet
 * SQLITE_BUSY from another process are retried (open-database.ts).
 */
import type { Client, InStatement } from '@libsql/client'
import type { SqlClient, SqlResult, SqlStatement } from '../sql/sql-client.js'
import type { StorageHealth } from '../storage-health.js'
import { isBusy, retryBusy } from './open-database.js'
import { storageFault } from './storage-faults.js'

const toLibsql = (s: SqlStatement | string): InStatement =>
  typeof s === 'string' ? s : { sql: s.sql, args: [...(s.args ?? [])] }

export class LibsqlClient implements SqlClient {
  readonly #client: Client
  readonly #health: StorageHealth

  constructor(client: Client, health: StorageHealth) {
    this.#client = client
    this.#health = health
  }

  /** The error to throw for `error`: its storage fault (now recorded), or itself. */
  #fault(error: unknown): unknown {
    const fault = storageFault(error)
    if (!fault) return error
    this.#health.failed(fault)
    return fault
  }

  async execute(statement: SqlStatement | string): Promise<SqlResult> {
    try {
      return await this.#client.execute(toLibsql(statement))
    } catch (error) {
      throw this.#fault(error)
    }
  }

  async write(statements: readonly (SqlStatement | string)[]): Promise<SqlResult[]> {
    try {
      const results = await retryBusy(() => this.#client.batch(statements.map(toLibsql), 'write'))
      this.#health.succeeded()
      return results
    } catch (error) {
      throw this.#fault(error)
    }
  }

  async read(statements: readonly (SqlStatement | string)[]): Promise<SqlResult[]> {
    try {
      return await this.#client.batch(statements.map(toLibsql), 'read')
    } catch (error) {
      throw this.#fault(error)
    }
  }

  async exec(sql: string): Promise<void> {
    try {
      await retryBusy(() => this.#client.executeMultiple(sql))
      this.#health.succeeded()
    } catch (error) {
      throw this.#fault(error)
    }
  }

  busy(error: unknown): boolean {
    return isBusy(error)
  }

  async close(): Promise<void> {
    this.#client.close()
  }
}
