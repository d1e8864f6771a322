/** Storage: the Store interfaces and their libSQL and PostgreSQL implementations. @module */

export { LibsqlStore } from './libsql/libsql-store.js'
export type { Durability } from './libsql/open-database.js'
export { isPostgresUrl, openStore } from './open-store.js'
export { PostgresStore } from './postgres/postgres-store.js'
export * from './records.js'
export { SqlStore } from './sql/sql-store.js'
export type { StorageHealthView, StorageStatus } from './storage-health.js'
export type * from './store.js'
