/**
 * The database thread: it owns the libSQL connections that write (and, for an
 * in-memory database, the one connection there is), and runs what the main
 * thread posts, one message at a time, in the order posted. A COMMIT's fsync
 * happens here, so it never blocks the main thread's requests or the dispatch
 * of other runs' steps. A failure is posted back with SQLite's codes, which
 * the main thread reads as a storage fault or a busy database.
 */
import { parentPort } from 'node:worker_threads'
import type { SqlResult, SqlStatement } from '../sql/sql-client.js'
import { Connection } from './connection.js'

export type ThreadOperation =
  | { readonly op: 'open'; readonly path: string; readonly pragmas: readonly string[] }
  | { readonly op: 'execute'; readonly statement: SqlStatement | string }
  | {
      readonly op: 'batch'
      readonly statements: readonly (SqlStatement | string)[]
      readonly mode: 'write' | 'read'
    }
  | { readonly op: 'exec'; readonly sql: string }
  | { readonly op: 'close' }

/** A request: an operation on one of the thread's connections. */
export type ToThread = ThreadOperation & { readonly id: number; readonly connection: number }

/** What crosses back for an error: its text and SQLite's codes. */
export interface ThreadFailure {
  readonly message: string
  readonly code?: string
  readonly rawCode?: number
}

export type FromThread =
  | { readonly id: number; readonly results: readonly SqlResult[] }
  | { readonly id: number; readonly failure: ThreadFailure }

const connections = new Map<number, Connection>()

function connectionOf(id: number): Connection {
  const connection = connections.get(id)
  if (!connection) throw new Error(`the database connection ${id} is closed`)
  return connection
}

function perform(request: ToThread): readonly SqlResult[] {
  switch (request.op) {
    case 'open': {
      const connection = new Connection(request.path)
      try {
        for (const pragma of request.pragmas) connection.exec(pragma)
      } catch (error) {
        connection.close()
        throw error
      }
      connections.set(request.connection, connection)
      return []
    }
    case 'execute':
      return [connectionOf(request.connection).run(request.statement)]
    case 'batch':
      return connectionOf(request.connection).batch(request.statements, request.mode)
    case 'exec':
      connectionOf(request.connection).exec(request.sql)
      return []
    case 'close':
      connections.get(request.connection)?.close()
      connections.delete(request.connection)
      return []
    default: {
      const never: never = request
      throw new Error(`unknown database operation ${JSON.stringify(never)}`)
    }
  }
}

function failure(error: unknown): ThreadFailure {
  if (!(error instanceof Error)) return { message: String(error) }
  const { code, rawCode } = error as { code?: unknown; rawCode?: unknown }
  return {
    message: error.message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof rawCode === 'number' ? { rawCode } : {}),
  }
}

const port = parentPort
if (port) {
  port.on('message', (request: ToThread) => {
    let answer: FromThread
    try {
      answer = { id: request.id, results: perform(request) }
    } catch (error) {
      answer = { id: request.id, failure: failure(error) }
    }
    port.postMessage(answer)
  })
  port.postMessage({ id: 0, results: [] } satisfies FromThread)
}
