/** Storage: the Store interface and its libSQL implementation. @module */
export type { Durability } from './libsql/open-database.js'
export { LibsqlStore } from './libsql/libsql-store.js'
export * from './records.js'
export type * from './store.js'
