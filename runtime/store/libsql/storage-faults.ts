/**
 * Which libSQL errors are storage faults — the database cannot be written or
 * read for a reason outside weir (a full disk, an I/O error, a file that went
 * read-only or cannot be opened) — and what a client is told about them: a
 * `storage_unavailable` error (503, retry later) instead of a bare 500.
 * The database thread reports SQLite's primary code in `code` (`SQLITE_FULL`)
 * and the extended one in `extendedCode` (`SQLITE_IOERR_WRITE`).
 */
import { WeirError } from '../../errors.js'

/** What each primary code means for a reader of the answer. */
const faults: Readonly<Record<string, string>> = {
  SQLITE_FULL: 'the database cannot be written: it is full',
  SQLITE_IOERR: 'the database cannot be read or written: an I/O error occurred',
  SQLITE_CANTOPEN: 'the database file cannot be opened',
  SQLITE_READONLY: 'the database cannot be written: it is read-only',
  SQLITE_NOLFS: 'the database cannot grow: large files are not supported here',
}

interface DriverError {
  readonly code?: unknown
  readonly extendedCode?: unknown
  readonly rawCode?: unknown
}

/** Primary codes by number, for errors that carry only a number (`rawCode`, or in their text). */
const byNumber: Readonly<Record<number, string>> = {
  8: 'SQLITE_READONLY',
  10: 'SQLITE_IOERR',
  13: 'SQLITE_FULL',
  14: 'SQLITE_CANTOPEN',
  22: 'SQLITE_NOLFS',
}

/** How the native driver says a connection could not be opened: `…local database <path>: 14`. */
const openFailure = /Unable to open connection to local database .*: (\d+)\b/

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined

/** The SQLite codes of one error: from its `code`, its `rawCode`, or a connection failure's text. */
function codesOf(e: Error): { primary: string; extended: string } | undefined {
  const { code, extendedCode, rawCode } = e as DriverError
  const primary = text(code)
  if (primary?.startsWith('SQLITE_')) {
    // A primary code may arrive extended (`SQLITE_IOERR_WRITE`): its family is the first two words.
    const family = primary.split('_').slice(0, 2).join('_')
    return { primary: family, extended: text(extendedCode) ?? primary }
  }
  const number = typeof rawCode === 'number' ? rawCode : Number(openFailure.exec(e.message)?.[1])
  const named = byNumber[number & 0xff]
  return named === undefined ? undefined : { primary: named, extended: named }
}

/** The SQLite codes of an error from the libSQL driver (or of its cause), if it has them. */
function sqliteCodes(error: unknown): { primary: string; extended: string } | undefined {
  let e: unknown = error
  for (let depth = 0; e instanceof Error && depth < 3; depth++) {
    const codes = codesOf(e)
    if (codes) return codes
    e = e.cause
  }
  return undefined
}

/**
 * The `storage_unavailable` error a libSQL error stands for, or undefined
 * when it is not a storage fault (a constraint, a bug, a busy database that
 * the writer retries by itself).
 */
export function storageFault(error: unknown): WeirError | undefined {
  if (error instanceof WeirError) return error.code === 'storage_unavailable' ? error : undefined
  const codes = sqliteCodes(error)
  const what = codes && faults[codes.primary]
  if (!codes || what === undefined) return undefined
  return new WeirError('storage_unavailable', `${what} (${codes.extended}); retry later`, [], error)
}
