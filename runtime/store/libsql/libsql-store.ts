/**
 * The libSQL store: a local file (or `:memory:`) opened and migrated here,
 * the SQL store on top. SQLite has one writer at a time, so version
 * allocation needs no lock of its own.
 */
import { SqlStore } from '../sql/sql-store.js'
import { LibsqlClient } from './libsql-client.js'
import { libsqlDialect as dialect } from './libsql-dialect.js'
import { type DatabaseOptions, openDatabase } from './open-database.js'
import { storageFault } from './storage-faults.js'

export class LibsqlStore extends SqlStore {
  /** Opens (and migrates) the database; a storage fault on the way is a `storage_unavailable` error. */
  static async open(options: DatabaseOptions & { now?: () => number }): Promise<LibsqlStore> {
    try {
      const database = await openDatabase(options)
      return new LibsqlStore(
        (health) => new LibsqlClient(database, health),
        dialect,
        options.now ?? Date.now,
      )
    } catch (error) {
      throw storageFault(error) ?? error
    }
  }
}
