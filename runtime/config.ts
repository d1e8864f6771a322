/**
 * weir's configuration, resolved once at start: an explicit option wins over
 * an environment variable, which wins over the default. The result is frozen
 * and passed down; nothing reads `process.env` at import time.
 */
import { availableParallelism } from 'node:os'
import { join, resolve } from 'node:path'
import { WeirError } from './errors.js'
import type { Durability } from './store/index.js'

export interface Config {
  readonly host: string
  readonly port: number
  readonly dataDir: string
  readonly dbUrl: string
  readonly durability: Durability
  readonly workers: number
  /** The API key the CLI sends (from WEIR_TOKEN, else the token file `weir serve` writes). */
  readonly token: string | undefined
  /** The server the CLI talks to. */
  readonly url: string
  readonly logLevel: string
  /** Largest component upload, in MiB (componentize-js components are about 12 MiB). */
  readonly maxComponentMb: number
  /** Largest JSON request body, in KiB. */
  readonly maxJsonKb: number
}

const logLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']

export type ConfigOptions = Partial<Omit<Config, 'dbUrl'>> & { readonly dbUrl?: string }

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0)
    throw new WeirError('invalid_request', `${name} must be a non-negative integer, not "${value}"`)
  return n
}

export function resolveConfig(
  options: ConfigOptions = {},
  env: Readonly<Record<string, string | undefined>> = {},
): Config {
  const host = options.host ?? env.WEIR_HOST ?? '127.0.0.1'
  const port = options.port ?? integer('WEIR_PORT', env.WEIR_PORT) ?? 8787
  const dataDir = resolve(options.dataDir ?? env.WEIR_DATA_DIR ?? '.weir')
  const durability =
    options.durability ?? (env.WEIR_DURABILITY as Durability | undefined) ?? 'normal'
  if (durability !== 'normal' && durability !== 'strict') {
    throw new WeirError(
      'invalid_request',
      `WEIR_DURABILITY must be "normal" or "strict", not "${durability}"`,
    )
  }
  const logLevel = options.logLevel ?? env.WEIR_LOG_LEVEL ?? 'info'
  if (!logLevels.includes(logLevel)) {
    throw new WeirError(
      'invalid_request',
      `WEIR_LOG_LEVEL must be one of ${logLevels.join(', ')}, not "${logLevel}"`,
    )
  }
  return Object.freeze({
    host,
    port,
    dataDir,
    dbUrl: options.dbUrl ?? env.WEIR_DB_URL ?? `file:${join(dataDir, 'weir.db')}`,
    durability,
    workers: options.workers ?? integer('WEIR_WORKERS', env.WEIR_WORKERS) ?? availableParallelism(),
    token: options.token ?? (env.WEIR_TOKEN || undefined),
    url: (options.url ?? env.WEIR_URL ?? `http://${host}:${port}`).replace(/\/$/, ''),
    logLevel,
    maxComponentMb:
      options.maxComponentMb ?? integer('WEIR_MAX_COMPONENT_MB', env.WEIR_MAX_COMPONENT_MB) ?? 32,
    maxJsonKb: options.maxJsonKb ?? integer('WEIR_MAX_JSON_KB', env.WEIR_MAX_JSON_KB) ?? 1024,
  })
}
