/**
 * The admin key of a fresh installation: created when the store has no key at
 * all, written to `<data dir>/admin.token` (mode 0600) for the CLI on this
 * machine, and returned so the server can print it once.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ApiKeys } from '../http/api-keys.js'

export const tokenFile = (dataDir: string) => join(dataDir, 'admin.token')

/** The new admin key when one was made (the first start), else undefined. */
export async function ensureAdminKey(
  apiKeys: ApiKeys,
  dataDir: string,
): Promise<string | undefined> {
  if ((await apiKeys.list()).length > 0) return undefined
  const { key } = await apiKeys.create('admin', 'admin')
  await writeFile(tokenFile(dataDir), `${key}\n`, { mode: 0o600 })
  return key
}

/** The token the CLI sends: the configured one, else the file `weir serve` wrote. */
export async function readToken(
  configured: string | undefined,
  dataDir: string,
): Promise<string | undefined> {
  if (configured) return configured
  const text = await readFile(tokenFile(dataDir), 'utf8').catch(() => undefined)
  return text?.trim() || undefined
}
