/**
 * The libSQL client as the store uses it: every statement and batch passes
 * through here, so a storage fault anywhere (a read or a write) becomes one
 * `storage_unavailable` error and marks storage unavailable, and every write
 * transaction that commits marks it ok again.
 */
import type {
  Client,
  InArgs,
  InStatement,
  Replicated,
  ResultSet,
  Transaction,
  TransactionMode,
} from '@libsql/client'
import type { StorageHealth } from '../storage-health.js'
import { storageFault } from './storage-faults.js'

export class GuardedClient implements Client {
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

  execute(stmt: InStatement): Promise<ResultSet>
  execute(sql: string, args?: InArgs): Promise<ResultSet>
  async execute(stmtOrSql: InStatement | string, args?: InArgs): Promise<ResultSet> {
    try {
      return typeof stmtOrSql === 'string'
        ? await this.#client.execute(stmtOrSql, args)
        : await this.#client.execute(stmtOrSql)
    } catch (error) {
      throw this.#fault(error)
    }
  }

  async batch(
    stmts: Array<InStatement | [string, InArgs?]>,
    mode?: TransactionMode,
  ): Promise<ResultSet[]> {
    try {
      const results = await this.#client.batch(stmts, mode)
      if (mode === 'write') this.#health.succeeded()
      return results
    } catch (error) {
      throw this.#fault(error)
    }
  }

  async migrate(stmts: InStatement[]): Promise<ResultSet[]> {
    try {
      return await this.#client.migrate(stmts)
    } catch (error) {
      throw this.#fault(error)
    }
  }

  transaction(mode?: TransactionMode): Promise<Transaction> {
    return this.#client.transaction(mode)
  }

  async executeMultiple(sql: string): Promise<void> {
    try {
      await this.#client.executeMultiple(sql)
    } catch (error) {
      throw this.#fault(error)
    }
  }

  sync(): Promise<Replicated> {
    return this.#client.sync()
  }

  close(): void {
    this.#client.close()
  }

  reconnect(): void {
    this.#client.reconnect()
  }

  get closed(): boolean {
    return this.#client.closed
  }

  get protocol(): string {
    return this.#client.protocol
  }
}
