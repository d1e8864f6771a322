/** Storage: the Store interface and its libSQL implementation. @module */

export { LibsqlStore } from './libsql/libsql-store.js'
export type { Durability } from './libsql/open-database.js'
export * from './records.js'
export type { StorageHealthView, StorageStatus } from './storage-health.js'
export type * from './store.js'
