/**
 * weir's configuration, resolved once at start: an explicit option wins over
 * an environment variable, which wins over the default. The result is frozen
 * and passed down; nothing reads `process.env` at import time.
 */
import { availableParallelism } from 'node:os'
import { join, resolve } from 'node:path'
import { WeirError } from './errors.js'
import { checkedWindow } from './retention/retention-window.js'
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
  /**
   * The URL clients reach the server at (WEIR_PUBLIC_URL), for absolute URLs
   * handed out (callback URLs); behind a TLS-terminating load balancer the
   * request's own origin is the wrong scheme and host. Undefined: the request's.
   */
  readonly publicUrl: string | undefined
  readonly logLevel: string
  /** Largest component upload, in MiB (componentize-js components are about 12 MiB). */
  readonly maxComponentMb: number
  /** Largest JSON request body, in KiB. */
  readonly maxJsonKb: number
  /** Deepest nesting of any JSON value weir accepts (bodies, inputs, payloads, task outputs). */
  readonly maxDepth: number
  /** Largest value weir stores or passes on (task output, template result, event payload), in KiB. */
  readonly maxValueKb: number
  /** Work one expression evaluation may do (comprehension iterations, calls, characters built). */
  readonly maxExpressionCost: number
  /** Most runs held in memory (running, waiting, queued); starts beyond answer 503. */
  readonly maxActiveRuns: number
  /** Most `?wait` callers waiting at once; more answer 503. */
  readonly maxWaiters: number
  /** Time a client has to send a request's headers, in ms. */
  readonly headersTimeoutMs: number
  /** Time a client has to send a whole request (headers and body), in ms. */
  readonly requestTimeoutMs: number
  /** Largest response body a task's outbound HTTP request may read, in MiB. */
  readonly maxHttpResponseMb: number
  /** A PEM file of extra certificate authorities that tasks' HTTPS requests trust (besides the system's). */
  readonly extraCa: string | undefined
  /** The key that seals secrets (32 bytes, hex or base64); absent: the data directory's key file. */
  readonly secretKey: string | undefined
  /** This node's id; absent: the one kept in the data directory (`node.id`). */
  readonly nodeId: string | undefined
  /** How long a run's lease lasts without renewal, in ms. */
  readonly leaseMs: number
  /** How often a node renews its leases and claims runs, in ms. */
  readonly leaseRenewMs: number
  /**
   * Whether runs, steps, attempts and requests are traced: the standard
   * OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is
   * set, which the OTLP exporter reads with the other OTEL_* variables.
   */
  readonly tracing: boolean
  /**
   * How long finished run trees are kept after their root ends (WEIR_RETENTION):
   * `off`, or a number with s, m, h or d (`30d`); see retention/retention-window.ts.
   */
  readonly retention: string
  /** How long audit entries are kept (WEIR_AUDIT_RETENTION), in the same form. */
  readonly auditRetention: string
  /** `GET /metrics` answers without an API key (WEIR_METRICS_PUBLIC=1, `--metrics-public`); else the viewer role. */
  readonly metricsPublic: boolean
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

/** A yes-or-no variable: 1, true, yes or on; 0, false, no or off; empty or unset is undefined. */
function flag(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined
  const answer = value.trim().toLowerCase()
  if (['1', 'true', 'yes', 'on'].includes(answer)) return true
  if (['0', 'false', 'no', 'off'].includes(answer)) return false
  throw new WeirError('invalid_request', `${name} must be 1 or 0 (true or false), not "${value}"`)
}

/** Leases must outlast two renewals, so that one late renewal loses nothing. */
function checkLease(config: Config): Config {
  if (config.leaseRenewMs < 50 || config.leaseRenewMs * 2 > config.leaseMs)
    throw new WeirError(
      'invalid_request',
      `WEIR_LEASE_RENEW_MS (${config.leaseRenewMs}) must be at least 50 and at most half of WEIR_LEASE_MS (${config.leaseMs})`,
    )
  return config
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
  return checkLease(
    Object.freeze({
      host,
      port,
      dataDir,
      dbUrl: options.dbUrl ?? env.WEIR_DB_URL ?? `file:${join(dataDir, 'weir.db')}`,
      durability,
      workers:
        options.workers ?? integer('WEIR_WORKERS', env.WEIR_WORKERS) ?? availableParallelism(),
      token: options.token ?? (env.WEIR_TOKEN || undefined),
      url: (options.url ?? env.WEIR_URL ?? `http://${host}:${port}`).replace(/\/$/, ''),
      publicUrl: (options.publicUrl ?? (env.WEIR_PUBLIC_URL || undefined))?.replace(/\/+$/, ''),
      logLevel,
      maxComponentMb:
        options.maxComponentMb ?? integer('WEIR_MAX_COMPONENT_MB', env.WEIR_MAX_COMPONENT_MB) ?? 32,
      maxJsonKb: options.maxJsonKb ?? integer('WEIR_MAX_JSON_KB', env.WEIR_MAX_JSON_KB) ?? 1024,
      maxDepth: options.maxDepth ?? integer('WEIR_MAX_DEPTH', env.WEIR_MAX_DEPTH) ?? 64,
      maxValueKb: options.maxValueKb ?? integer('WEIR_MAX_VALUE_KB', env.WEIR_MAX_VALUE_KB) ?? 1024,
      maxExpressionCost:
        options.maxExpressionCost ??
        integer('WEIR_MAX_EXPRESSION_COST', env.WEIR_MAX_EXPRESSION_COST) ??
        250_000,
      maxActiveRuns:
        options.maxActiveRuns ??
        integer('WEIR_MAX_ACTIVE_RUNS', env.WEIR_MAX_ACTIVE_RUNS) ??
        20_000,
      maxWaiters: options.maxWaiters ?? integer('WEIR_MAX_WAITERS', env.WEIR_MAX_WAITERS) ?? 2_000,
      headersTimeoutMs:
        options.headersTimeoutMs ??
        integer('WEIR_HEADERS_TIMEOUT_MS', env.WEIR_HEADERS_TIMEOUT_MS) ??
        10_000,
      requestTimeoutMs:
        options.requestTimeoutMs ??
        integer('WEIR_REQUEST_TIMEOUT_MS', env.WEIR_REQUEST_TIMEOUT_MS) ??
        30_000,
      maxHttpResponseMb:
        options.maxHttpResponseMb ??
        integer('WEIR_MAX_HTTP_RESPONSE_MB', env.WEIR_MAX_HTTP_RESPONSE_MB) ??
        16,
      extraCa: options.extraCa ?? (env.WEIR_EXTRA_CA || undefined),
      secretKey: options.secretKey ?? (env.WEIR_SECRET_KEY || undefined),
      nodeId: options.nodeId ?? (env.WEIR_NODE_ID || undefined),
      leaseMs: options.leaseMs ?? integer('WEIR_LEASE_MS', env.WEIR_LEASE_MS) ?? 10_000,
      leaseRenewMs:
        options.leaseRenewMs ?? integer('WEIR_LEASE_RENEW_MS', env.WEIR_LEASE_RENEW_MS) ?? 2_000,
      tracing: Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT),
      retention: checkedWindow(
        'WEIR_RETENTION',
        options.retention ?? (env.WEIR_RETENTION || undefined) ?? '30d',
      ),
      auditRetention: checkedWindow(
        'WEIR_AUDIT_RETENTION',
        options.auditRetention ?? (env.WEIR_AUDIT_RETENTION || undefined) ?? '365d',
      ),
      metricsPublic:
        options.metricsPublic ?? flag('WEIR_METRICS_PUBLIC', env.WEIR_METRICS_PUBLIC) ?? false,
    }),
  )
}
