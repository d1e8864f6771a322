/**
 * The write that tells whether storage works again after a fault, when no
 * other write would tell: a row padded past a few pages, inserted and deleted
 * in one transaction. It needs new pages as real writes do, so a full disk
 * (or a database at its page limit) fails it; it leaves no row behind.
 */
import type { SqlStatement } from './sql-client.js'

/** Bytes of padding: four 4 KiB pages, more than any free space inside existing pages. */
const padBytes = 16_384

const pad = new Uint8Array(padBytes)

export function probeStatements(now: number): SqlStatement[] {
  return [
    { sql: 'INSERT INTO storage_probe (at, pad) VALUES (?, ?)', args: [now, pad] },
    { sql: 'DELETE FROM storage_probe' },
  ]
}
