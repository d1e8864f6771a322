/**
 * A whole weir server: the libSQL store, the component cache, the executor's
 * worker pool, the catalog, the engine (which resumes unfinished runs), the
 * API keys, and the Hono app listening with @hono/node-server. `stop()` is the
 * graceful shutdown: no new requests or runs, in-flight attempts get a grace
 * period to commit (what is still running after it is left to recovery), then
 * the executor and the database are closed. The configured bounds (value
 * depth and size, expression cost, active runs, waiters, slow clients) are
 * wired into the parts here.
 */
import { mkdir } from 'node:fs/promises'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { type ServerType, serve } from '@hono/node-server'
import type { Logger } from 'pino'
import { Catalog } from '../catalog/catalog.js'
import { ComponentCache } from '../components/component-cache.js'
import type { Config } from '../config.js'
import { sessionKeyFrom } from '../console/session.js'
import { systemClock } from '../engine/clock.js'
import { Engine } from '../engine/engine.js'
import { WeirError } from '../errors.js'
import { WorkerPool } from '../executor/worker-pool.js'
import { ApiKeys } from '../http/api-keys.js'
import { createApp } from '../http/app.js'
import type { AppContext } from '../http/route.js'
import { WeirMetrics } from '../metrics/index.js'
import { packageInfo } from '../package-info.js'
import { type RetentionSweeper, startRetention } from '../retention/index.js'
import { Scheduler } from '../schedules/scheduler.js'
import { loadSecretKey } from '../secrets/secret-key.js'
import { Secrets } from '../secrets/secrets.js'
import { isPostgresUrl, openStore } from '../store/index.js'
import { loadTracing } from '../tracing/load-tracing.js'
import { runSpans } from '../tracing/run-spans.js'
import type { Tracing } from '../tracing/tracing.js'
import { ensureAdminKey } from './admin-token.js'
import { nodeIdReleased, serverNodeId } from './node-id.js'

export interface ServerOptions {
  readonly logger: Logger
  /** How long stop() lets attempts in flight finish (default 10 s). */
  readonly graceMs?: number
  /** Records spans (tests give an in-memory one); default: OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set, else none. */
  readonly tracing?: Tracing
  /** Prometheus metrics and `GET /metrics` (default on; off to measure what they cost). */
  readonly metrics?: boolean
}

/**
 * Node's limits on slow clients: a client that has not sent its headers within
 * `headersTimeoutMs`, or its whole request within `requestTimeoutMs`, gets 408
 * and its connection is closed, so trickled bytes cannot hold sockets and
 * memory. Node looks for such connections every `connectionsCheckingInterval`
 * (30 s by default, longer than the timeouts themselves): a quarter of the
 * shorter timeout, within 50 ms – 1 s. Node refuses a header timeout longer
 * than the request timeout; the request timeout then bounds both.
 */
export function slowClientOptions(config: Pick<Config, 'headersTimeoutMs' | 'requestTimeoutMs'>) {
  const requestTimeout = config.requestTimeoutMs
  const headersTimeout =
    requestTimeout > 0 && config.headersTimeoutMs > 0
      ? Math.min(config.headersTimeoutMs, requestTimeout)
      : config.headersTimeoutMs
  const shortest = Math.min(...[headersTimeout, requestTimeout].filter((ms) => ms > 0), 4000)
  return {
    headersTimeout,
    requestTimeout,
    connectionsCheckingInterval: Math.max(50, Math.floor(shortest / 4)),
  }
}

/** Listens on the configured address; a taken port is an `unavailable` error that says what to do. */
function listen(
  fetch: (request: Request) => Response | Promise<Response>,
  config: Config,
): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const listening = serve(
      {
        fetch,
        hostname: config.host,
        port: config.port,
        serverOptions: slowClientOptions(config),
      },
      () => resolve(listening),
    )
    listening.once('error', (error: NodeJS.ErrnoException) => {
      const where = `${config.host}:${config.port}`
      reject(
        error.code === 'EADDRINUSE'
          ? new WeirError(
              'unavailable',
              `cannot listen on ${where}: the address is in use (choose another with --port or WEIR_PORT)`,
            )
          : error,
      )
    })
  })
}

export class WeirServer {
  readonly context: AppContext
  /** The admin key made on this (first) start, to be shown once. */
  readonly newAdminKey: string | undefined
  readonly url: string
  readonly recovered: number
  readonly #server: ServerType
  readonly #pool: WorkerPool
  readonly #retention: RetentionSweeper
  readonly #options: ServerOptions
  #stopped: Promise<void> | undefined

  private constructor(
    fields: Pick<WeirServer, 'context' | 'newAdminKey' | 'url' | 'recovered'>,
    server: ServerType,
    pool: WorkerPool,
    retention: RetentionSweeper,
    options: ServerOptions,
  ) {
    this.context = fields.context
    this.newAdminKey = fields.newAdminKey
    this.url = fields.url
    this.recovered = fields.recovered
    this.#server = server
    this.#pool = pool
    this.#retention = retention
    this.#options = options
  }

  static async start(config: Config, options: ServerOptions): Promise<WeirServer> {
    await mkdir(config.dataDir, { recursive: true })
    const store = await openStore({ url: config.dbUrl, durability: config.durability })
    const shared = isPostgresUrl(config.dbUrl)
    const secretKey = await loadSecretKey(config.secretKey, config.dataDir, { shared }).catch(
      async (error: unknown) => {
        await store.close()
        throw error
      },
    )
    const secrets = await Secrets.open(store, secretKey).catch(async (error: unknown) => {
      await store.close()
      throw error
    })
    const cache = new ComponentCache(join(config.dataDir, 'components'))
    const value = { maxDepth: config.maxDepth, maxBytes: config.maxValueKb * 2 ** 10 }
    const pool = await WorkerPool.start({
      cache,
      size: Math.max(1, config.workers),
      valueLimits: value,
      http: { maxResponseBytes: config.maxHttpResponseMb * 2 ** 20, extraCa: config.extraCa },
    })
    const catalog = new Catalog(store, cache, {
      limits: { maxCost: config.maxExpressionCost, value },
    })
    const tracing = options.tracing ?? (await loadTracing(config.tracing))
    const metrics =
      options.metrics === false ? undefined : new WeirMetrics({ processMetrics: true })
    if (metrics) store.stats.observeGroupCommits(metrics.groupCommits)
    const engine = new Engine({
      store,
      executor: pool,
      catalog,
      logger: options.logger,
      observers: [...(tracing ? [runSpans(tracing)] : []), ...(metrics ? [metrics.runs] : [])],
      ...(metrics ? { takeovers: metrics.runs } : {}),
      limits: { maxActiveRuns: config.maxActiveRuns, maxWaiters: config.maxWaiters },
      secrets,
      node: {
        id: await serverNodeId(config.nodeId, config.dataDir, store, config.leaseMs),
        leaseMs: config.leaseMs,
        renewMs: config.leaseRenewMs,
      },
    })
    metrics?.watch({ store: store.stats, executor: pool, engine })
    const apiKeys = new ApiKeys(store)
    const scheduler = new Scheduler({ store, engine, clock: systemClock, logger: options.logger })
    catalog.onFlowPublished((record) => scheduler.syncFlow(record))
    const version = packageInfo().version
    const context: AppContext = { store, catalog, engine, apiKeys, scheduler, secrets, version }
    const newAdminKey = await ensureAdminKey(apiKeys, config.dataDir)
    const backfilled = await catalog.backfillFlowOutputs()
    if (backfilled > 0)
      options.logger.info(
        { versions: backfilled },
        `computed the output schema of ${backfilled} flow version${backfilled === 1 ? '' : 's'} published before weir stored it`,
      )
    const recovered = await engine.recover()
    for (const { flow, version, problems } of await catalog.flowsWithRefusedPatterns()) {
      const where = problems.map((p) => `${p.pointer}: ${p.message}`)
      options.logger.warn(
        { flow, version, problems: where },
        `flow ${flow}@${version} uses a regular expression RE2 refuses: evaluations that use it fail; publish a new version`,
      )
    }
    await scheduler.start()
    const app = createApp(context, {
      publicUrl: config.publicUrl,
      ...(tracing ? { tracing } : {}),
      ...(metrics ? { metrics: { source: metrics, public: config.metricsPublic } } : {}),
      console: {
        sessionKey: sessionKeyFrom(secretKey),
        secureCookie: config.publicUrl?.startsWith('https:') === true,
      },
      logger: options.logger,
      limits: {
        componentBytes: config.maxComponentMb * 2 ** 20,
        jsonBytes: config.maxJsonKb * 2 ** 10,
        maxDepth: config.maxDepth,
      },
    })
    let server: ServerType
    try {
      server = await listen(app.fetch, config)
    } catch (error) {
      scheduler.stop()
      await engine.stop(0)
      nodeIdReleased(engine.node.id)
      await pool.close()
      await store.close()
      throw error
    }
    const address = server.address() as AddressInfo
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
    const url = `http://${host}:${address.port}`
    const node = engine.node.id
    const retention = startRetention({ config, store, node, logger: options.logger })
    options.logger.info({ url, recovered, version: context.version }, 'weir is listening')
    const kept = tracing ? { ...options, tracing } : options
    return new WeirServer({ context, newAdminKey, url, recovered }, server, pool, retention, kept)
  }

  /** Graceful shutdown; safe to call more than once. */
  stop(): Promise<void> {
    this.#stopped ??= this.#stop()
    return this.#stopped
  }

  async #stop(): Promise<void> {
    const { engine, store, scheduler } = this.context
    scheduler.stop()
    await this.#retention.stop()
    const logger = this.#options.logger
    logger.info({}, 'weir is stopping')
    const server = this.#server
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    const closeConnections = (which: 'closeIdleConnections' | 'closeAllConnections') => {
      if (which in server) (server as Server)[which]()
    }
    closeConnections('closeIdleConnections')
    await engine.stop(this.#options.graceMs ?? 10_000)
    closeConnections('closeIdleConnections')
    const timer = setTimeout(() => closeConnections('closeAllConnections'), 1000)
    await closed
    clearTimeout(timer)
    await this.#pool.close()
    await store.close()
    await this.#options.tracing?.shutdown()
    nodeIdReleased(engine.node.id)
    logger.info({}, 'weir stopped')
  }
}
