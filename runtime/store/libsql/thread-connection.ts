/**
 * The main thread's end of the database thread (database-thread.ts): one
 * thread per process, started on the first open and shared by every libSQL
 * database the process opens, each a connection of its own there. Requests
 * resolve in the order they were posted. The thread keeps the process alive
 * only while a request is outstanding. Should the thread die, every request
 * outstanding and every later one fails as a storage fault saying so.
 */
import { Worker } from 'node:worker_threads'
import { WeirError } from '../../errors.js'
import { threadEntry } from '../../thread-entry.js'
import type { SqlResult, SqlStatement } from '../sql/sql-client.js'
import type { FromThread, ThreadFailure, ThreadOperation, ToThread } from './database-thread.js'

const entry = threadEntry('./database-thread', import.meta.url)

/**
 * An error the database thread met, with SQLite's codes as libSQL's client
 * gives them (read by storage-faults.ts and isBusy): `code` the primary one
 * (`SQLITE_CONSTRAINT`), `extendedCode` the extended one
 * (`SQLITE_CONSTRAINT_PRIMARYKEY`); every primary code is one word after `SQLITE_`.
 */
export class DatabaseThreadError extends Error {
  readonly code: string | undefined
  readonly extendedCode: string | undefined
  readonly rawCode: number | undefined

  constructor(failure: ThreadFailure) {
    super(failure.message)
    this.name = 'DatabaseThreadError'
    this.code = failure.code?.split('_').slice(0, 2).join('_')
    this.extendedCode = failure.code
    this.rawCode = failure.rawCode
  }
}

interface Pending {
  readonly resolve: (results: readonly SqlResult[]) => void
  readonly reject: (error: Error) => void
}

class DatabaseThread {
  readonly #worker: Worker
  readonly #ready: Promise<void>
  readonly #pending = new Map<number, Pending>()
  #nextId = 1
  #dead: WeirError | undefined

  constructor() {
    // Referenced until it is ready (the `ready` answer unreferences it), so a process waiting to open stays alive.
    this.#worker = new Worker(entry.entry, { eval: entry.eval })
    this.#ready = new Promise((resolve, reject) => {
      this.#pending.set(0, { resolve: () => resolve(), reject })
    })
    // Without a listener the rejection of an unused `ready` would be unhandled.
    this.#ready.catch(() => {})
    this.#worker.on('message', (answer: FromThread) => this.#answer(answer))
    this.#worker.on('error', (error: Error) => this.#die(error))
    this.#worker.on('exit', (code) => this.#die(new Error(`the database thread exited (${code})`)))
  }

  #answer(answer: FromThread): void {
    const pending = this.#pending.get(answer.id)
    if (!pending) return
    this.#pending.delete(answer.id)
    if (this.#pending.size === 0) this.#worker.unref()
    if ('failure' in answer) pending.reject(new DatabaseThreadError(answer.failure))
    else pending.resolve(answer.results)
  }

  /** The thread is gone: what was outstanding and what comes later fail as storage faults (503; storage marked unavailable). */
  #die(cause: Error): void {
    const error = new WeirError(
      'storage_unavailable',
      `the database thread stopped (${cause.message}); restart weir`,
      [],
      cause,
    )
    this.#dead ??= error
    for (const pending of this.#pending.values()) pending.reject(error)
    this.#pending.clear()
    if (thread === this) thread = undefined
  }

  async request(connection: number, operation: ThreadOperation): Promise<readonly SqlResult[]> {
    await this.#ready
    if (this.#dead) throw this.#dead
    const id = this.#nextId++
    return new Promise((resolve, reject) => {
      if (this.#pending.size === 0) this.#worker.ref()
      this.#pending.set(id, { resolve, reject })
      try {
        this.#worker.postMessage({ ...operation, id, connection } satisfies ToThread)
      } catch (error) {
        // A value that cannot be posted: nothing reached the thread, so nothing waits for it.
        this.#pending.delete(id)
        if (this.#pending.size === 0) this.#worker.unref()
        reject(error)
      }
    })
  }
}

let thread: DatabaseThread | undefined
let nextConnection = 1

/** A connection that lives on the database thread; every call is one message there and back. */
export class ThreadConnection {
  readonly #thread: DatabaseThread
  readonly #id: number

  private constructor(thread: DatabaseThread, id: number) {
    this.#thread = thread
    this.#id = id
  }

  /** Opens the database at `path` on the thread and runs `pragmas` on the new connection. */
  static async open(path: string, pragmas: readonly string[]): Promise<ThreadConnection> {
    thread ??= new DatabaseThread()
    const connection = new ThreadConnection(thread, nextConnection++)
    await thread.request(connection.#id, { op: 'open', path, pragmas })
    return connection
  }

  async execute(statement: SqlStatement | string): Promise<SqlResult> {
    const [result] = await this.#thread.request(this.#id, { op: 'execute', statement })
    return result as SqlResult
  }

  async batch(
    statements: readonly (SqlStatement | string)[],
    mode: 'write' | 'read',
  ): Promise<SqlResult[]> {
    return [...(await this.#thread.request(this.#id, { op: 'batch', statements, mode }))]
  }

  async exec(sql: string): Promise<void> {
    await this.#thread.request(this.#id, { op: 'exec', sql })
  }

  async close(): Promise<void> {
    await this.#thread.request(this.#id, { op: 'close' })
  }
}
