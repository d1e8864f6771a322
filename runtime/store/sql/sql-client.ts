/**
 * What the SQL store needs of a database driver: statements with `?`
 * placeholders, rows as plain objects by column name, and write transactions
 * of several statements that commit together. libSQL and PostgreSQL each
 * provide one; every storage fault leaves it as a `storage_unavailable`
 * WeirError, and every write that commits tells storage health that writes work.
 */

/** A value bound to a placeholder. */
export type SqlValue = string | number | bigint | null | Uint8Array

export interface SqlStatement {
  /** SQL with `?` placeholders, bound in order. */
  readonly sql: string
  readonly args?: readonly SqlValue[]
}

/** A row by column name; numbers may arrive as strings (PostgreSQL's BIGINT), so readers convert. */
export type SqlRow = Readonly<Record<string, unknown>>

export interface SqlResult {
  readonly rows: readonly SqlRow[]
  readonly rowsAffected: number
}

export interface SqlClient {
  /** One statement, outside any explicit transaction. */
  execute(statement: SqlStatement | string): Promise<SqlResult>
  /** Statements in one write transaction: all commit or none; resolves once committed. */
  write(statements: readonly (SqlStatement | string)[]): Promise<SqlResult[]>
  /** Statements that read one consistent snapshot. */
  read(statements: readonly (SqlStatement | string)[]): Promise<SqlResult[]>
  /**
   * Runs SQL text to its end outside of an explicit transaction, discarding
   * rows: libSQL's `PRAGMA incremental_vacuum`, which yields a row per page
   * it frees and does nothing more when run for one row. Only libSQL's
   * client has it; nothing needs it on PostgreSQL.
   */
  exec?(sql: string): Promise<void>
  /** Whether an error means another writer held the database past the client's retries. */
  busy(error: unknown): boolean
  close(): Promise<void>
}

/** What differs between the SQL of the two databases, beyond the placeholders the client rewrites. */
export interface SqlDialect {
  readonly name: 'libsql' | 'postgres'
  /**
   * Statements that make a version allocation (`MAX(version) + 1`) safe
   * against a concurrent one, first in its transaction: SQLite has one writer
   * at a time and needs none; PostgreSQL takes a transaction-scoped advisory lock.
   */
  lockKey(key: string): SqlStatement[]
  /** The database's clock, in epoch milliseconds, as an SQL expression: lease times come from it, never a node's. */
  readonly nowMs: string
  /** Appended to the SELECT choosing runs to claim (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so claimers do not wait for each other). */
  readonly skipLocked: string
  /**
   * Appended to a SELECT of rows to lock them for the rest of the transaction
   * (PostgreSQL: ` FOR UPDATE`; SQLite's one writer holds them all already).
   */
  readonly forUpdate: string
  /** An expression that fails its statement (and so the transaction) unless the SQL `condition` holds. */
  failUnless(condition: string): string
}

/** A statement from SQL text or a statement. */
export const statement = (s: SqlStatement | string): SqlStatement =>
  typeof s === 'string' ? { sql: s } : s
