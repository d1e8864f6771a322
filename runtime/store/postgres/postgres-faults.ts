/**
 * Which PostgreSQL errors are storage faults — the database cannot be reached
 * or cannot write for a reason outside weir (a server stopped or restarting,
 * a lost connection, a full disk, a read-only server) — and the
 * `storage_unavailable` error (503, retry later) a client is told instead.
 * Constraint violations and bugs are not: they stay what they are.
 */
import { WeirError } from '../../errors.js'

/** SQLSTATE classes and codes that mean storage, not the statement, is at fault. */
const byState: readonly (readonly [RegExp, string])[] = [
  [/^08/, 'the connection to the database failed'],
  [/^53100$/, 'the database cannot be written: its disk is full'],
  [/^53/, 'the database is out of resources'],
  [/^57P0[1-3]$/, 'the database server is shutting down or starting'],
  [/^58/, 'the database server met an I/O error'],
  [/^25006$/, 'the database cannot be written: it is read-only'],
]

/** Node's socket errors, and how the drivers say a connection went away. */
const network =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH|EAI_AGAIN|Connection terminated|connection timeout|timeout exceeded when trying to connect|CONNECTION_(CLOSED|ENDED|DESTROYED)|Client has encountered a connection error/i

interface DriverError {
  readonly code?: unknown
  readonly errno?: unknown
}

/** What is wrong with storage, by an error (or its cause), if storage is what is wrong. */
function describe(error: unknown): string | undefined {
  let e: unknown = error
  for (let depth = 0; e instanceof Error && depth < 3; depth++) {
    const code = (e as DriverError).code
    if (typeof code === 'string') {
      const known = byState.find(([pattern]) => pattern.test(code))
      if (known) return `${known[1]} (${code}: ${e.message})`
    }
    if (network.test(`${String(code ?? '')} ${e.message}`))
      return `the database cannot be reached (${e.message})`
    e = e.cause
  }
  return undefined
}

/** The `storage_unavailable` error a driver's error stands for, or undefined when storage is not at fault. */
export function postgresFault(error: unknown): WeirError | undefined {
  if (error instanceof WeirError) return error.code === 'storage_unavailable' ? error : undefined
  const what = describe(error)
  return what === undefined
    ? undefined
    : new WeirError('storage_unavailable', `${what}; retry later`, [], error)
}

/** A database URL fit for a log or an error: its password replaced by `***`. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password !== '') parsed.password = '***'
    return parsed.toString()
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@')
  }
}
