/**
 * SQL for retention (RetentionStore): the housekeeping lease in the
 * database's clock, and deletions in bounded transactions. A run tree is
 * deleted from its descendants up, a batch of runs per transaction; every
 * statement of a batch deletes only runs whose root is still finished, old
 * enough and without an active run in its tree (checked again inside the
 * transaction, with the roots locked on PostgreSQL), so a root retried
 * meanwhile keeps its whole tree. Lists of ids are padded to the batch size,
 * so that each statement has one text (PostgreSQL prepares each text once).
 */
import type { RetentionStore } from '../retention-store.js'
import { active } from './run-queries.js'
import type { SqlClient, SqlDialect, SqlStatement, SqlValue } from './sql-client.js'

/** A run's descendants: every run of its tree but itself (a root is its own root). */
const descendantOf = (alias: string, root: string) =>
  `${alias}.root_run = ${root}.id AND ${alias}.parent_run IS NOT NULL`

/**
 * Root run `r` ended before the bound (the one argument) and nothing in its
 * tree is active. Its status is tested as "not active" (a run is one or the
 * other), which no index serves, so that SQLite walks the finished roots by
 * time (runs_finished_roots) instead of every run with a finished status.
 */
const expiredRoot = `r.parent_run IS NULL AND r.finished_at IS NOT NULL AND r.finished_at < ?
  AND NOT (r.${active})
  AND NOT EXISTS (SELECT 1 FROM runs a WHERE ${descendantOf('a', 'r')} AND a.${active})`

/** `?` placeholders for `size` values. */
const marks = (size: number) => Array.from({ length: size }, () => '?').join(', ')

/** `ids` padded to `size` with its first (the SQL stays the same whatever the count). */
const padded = (ids: readonly string[], size: number): string[] =>
  Array.from({ length: size }, (_, i) => ids[i] ?? (ids[0] as string))

/** Tables whose rows belong to one run, by their `run_id`. */
const perRunTables = ['step_runs', 'attempts', 'events', 'run_requests', 'idempotency_keys']

/** The statements deleting the runs `doomed` selects (its arguments `args`), their rows first. */
function deleteRuns(doomed: string, args: readonly SqlValue[]): SqlStatement[] {
  return [
    ...perRunTables.map((table) => ({
      sql: `DELETE FROM ${table} WHERE run_id IN (${doomed})`,
      args,
    })),
    { sql: `DELETE FROM runs WHERE id IN (${doomed})`, args },
  ]
}

export class SqlRetention implements RetentionStore {
  readonly #client: SqlClient
  readonly #dialect: SqlDialect

  constructor(client: SqlClient, dialect: SqlDialect) {
    this.#client = client
    this.#dialect = dialect
  }

  async holdLease(name: string, holder: string, leaseMs: number): Promise<boolean> {
    const now = this.#dialect.nowMs
    const [result] = await this.#client.write([
      {
        sql: `INSERT INTO housekeeping (name, holder, lease_until) VALUES (?, ?, ${now} + CAST(? AS BIGINT))
          ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until
          WHERE housekeeping.holder = excluded.holder OR housekeeping.lease_until < ${now}`,
        args: [name, holder, leaseMs],
      },
    ])
    return (result?.rowsAffected ?? 0) > 0
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.#client.write([
      { sql: 'DELETE FROM housekeeping WHERE name = ? AND holder = ?', args: [name, holder] },
    ])
  }

  async deleteFinishedRuns(before: number, limit: number): Promise<number> {
    const roots = await this.#ids(
      `SELECT r.id FROM runs r WHERE ${expiredRoot} ORDER BY r.finished_at, r.id LIMIT ?`,
      [before, limit],
    )
    if (roots.length === 0) return 0
    const rootArgs = padded(roots, limit)
    const children = await this.#ids(
      `SELECT id FROM runs WHERE root_run IN (${marks(limit)}) AND parent_run IS NOT NULL LIMIT ?`,
      [...rootArgs, limit],
    )
    // Descendants first; a root goes once its tree has nothing else left.
    const doomed =
      children.length > 0
        ? `SELECT c.id FROM runs c JOIN runs r ON r.id = c.root_run
            WHERE c.id IN (${marks(limit)}) AND c.parent_run IS NOT NULL AND ${expiredRoot}`
        : `SELECT r.id FROM runs r WHERE r.id IN (${marks(limit)}) AND ${expiredRoot}
            AND NOT EXISTS (SELECT 1 FROM runs d WHERE ${descendantOf('d', 'r')})`
    const args = [...padded(children.length > 0 ? children : roots, limit), before]
    const results = await this.#client.write([
      // Holds the roots against a concurrent retry until the batch commits (SQLite has one writer).
      {
        sql: `SELECT id FROM runs WHERE id IN (${marks(limit)})${this.#dialect.forUpdate}`,
        args: rootArgs,
      },
      ...deleteRuns(doomed, args),
    ])
    return results.at(-1)?.rowsAffected ?? 0
  }

  async deleteRefusedStarts(before: number, limit: number): Promise<number> {
    const [result] = await this.#client.write([
      {
        sql: `DELETE FROM refused_starts WHERE id IN
          (SELECT id FROM refused_starts WHERE created_at < ? ORDER BY created_at LIMIT ?)`,
        args: [before, limit],
      },
    ])
    return result?.rowsAffected ?? 0
  }

  async reclaimSpace(pages: number): Promise<number> {
    if (this.#dialect.name !== 'libsql' || !this.#client.exec) return 0
    // A PRAGMA takes no placeholder; 0 or less would mean every free page.
    await this.#client.exec(`PRAGMA incremental_vacuum(${Math.max(1, Math.floor(pages))})`)
    const result = await this.#client.execute('PRAGMA freelist_count')
    return Number(result.rows[0]?.freelist_count ?? 0)
  }

  async #ids(sql: string, args: readonly SqlValue[]): Promise<string[]> {
    const result = await this.#client.execute({ sql, args })
    return result.rows.map((row) => String(row.id))
  }
}
