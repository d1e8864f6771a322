/**
 * The PostgreSQL store: a pool opened and migrated here, the SQL store on
 * top. Versions are allocated under a transaction-scoped advisory lock per
 * name, since PostgreSQL, unlike SQLite, runs writers concurrently.
 */
import { SqlStore } from '../sql/sql-store.js'
import { openPostgres } from './open-postgres.js'
import { PgClient } from './pg-client.js'
import { PgSignals } from './pg-signals.js'
import { postgresDialect as dialect } from './postgres-dialect.js'

export interface PostgresOptions {
  /** `postgres://user:password@host:port/database`. */
  readonly url: string
  /** Most connections the node opens. */
  readonly poolSize?: number
  readonly now?: () => number
}

export class PostgresStore extends SqlStore {
  /** Opens (and migrates) the database; an unreachable one is a `storage_unavailable` error naming the masked URL. */
  static async open(options: PostgresOptions): Promise<PostgresStore> {
    const pool = await openPostgres(
      { url: options.url, ...(options.poolSize === undefined ? {} : { max: options.poolSize }) },
      () => {
        // A connection that dies is dropped by the pool; the next query opens another.
      },
    )
    return new PostgresStore(
      (health) => new PgClient(pool, health),
      dialect,
      options.now ?? Date.now,
      new PgSignals(options.url, pool),
    )
  }
}
