/**
 * The key that seals secrets: `WEIR_SECRET_KEY` (32 bytes, base64 or 64 hex
 * digits) or, for a single node on libSQL, a key file in the data directory
 * (mode 0600), made with 32 random bytes on the first start.
 */
import { randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { WeirError } from '../errors.js'

export const keyFileName = 'secret.key'

/** Reads a key given as text: 64 hex digits or base64 of 32 bytes. */
export function parseSecretKey(text: string): Uint8Array {
  const trimmed = text.trim()
  const bytes = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64')
  if (
    bytes.length !== 32 ||
    (!/^[0-9a-fA-F]{64}$/.test(trimmed) && !/^[A-Za-z0-9+/]{43}=?$/.test(trimmed))
  )
    throw new WeirError(
      'invalid_request',
      'WEIR_SECRET_KEY must be 32 bytes, written as 64 hex digits or in base64 (e.g. the output of `openssl rand -base64 32`)',
    )
  return new Uint8Array(bytes)
}

/**
 * The configured key, else the data directory's key file (made on first use).
 * A database that several nodes share (`shared`, PostgreSQL) needs the
 * configured key: a key file is one machine's, and each node would make its own.
 */
export async function loadSecretKey(
  configured: string | undefined,
  dataDir: string,
  options: { shared?: boolean } = {},
): Promise<Uint8Array> {
  if (configured !== undefined) return parseSecretKey(configured)
  if (options.shared)
    throw new WeirError(
      'invalid_request',
      'WEIR_SECRET_KEY is required with PostgreSQL: every node must seal secrets with the same key (32 bytes, e.g. the output of `openssl rand -base64 32`)',
    )
  const file = join(dataDir, keyFileName)
  const existing = await readFile(file, 'utf8').catch(() => undefined)
  if (existing !== undefined) return parseSecretKey(existing)
  const key = randomBytes(32)
  await writeFile(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' }).catch(
    async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error
    },
  )
  return parseSecretKey(await readFile(file, 'utf8'))
}
