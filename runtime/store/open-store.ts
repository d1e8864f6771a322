/**
 * The store a database URL names: PostgreSQL for `postgres://` and
 * `postgresql://` URLs, libSQL for everything else (`file:…`, `:memory:`).
 */
import { LibsqlStore } from './libsql/libsql-store.js'
import type { Durability } from './libsql/open-database.js'
import { PostgresStore } from './postgres/postgres-store.js'
import type { SqlStore } from './sql/sql-store.js'

export const isPostgresUrl = (url: string): boolean => /^postgres(ql)?:\/\//i.test(url)

export function openStore(options: {
  url: string
  durability?: Durability
  now?: () => number
}): Promise<SqlStore> {
  return isPostgresUrl(options.url) ? PostgresStore.open(options) : LibsqlStore.open(options)
}
