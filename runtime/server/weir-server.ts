/**
 * A whole weir server: the libSQL store, the component cache, the executor's
 * worker pool, the catalog, the engine (which resumes unfinished runs), the
 * API keys, and the Hono app listening with @hono/node-server. `stop()` is the
 * graceful shutdown: no new requests or runs, in-flight attempts get a grace
 * period to commit (what is still running after it is left to recovery), then
 * the executor and the database are closed.
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
import { systemClock } from '../engine/clock.js'
import { Engine } from '../engine/engine.js'
import { WeirError } from '../errors.js'
import { WorkerPool } from '../executor/worker-pool.js'
import { ApiKeys } from '../http/api-keys.js'
import { createApp } from '../http/app.js'
import type { AppContext } from '../http/route.js'
import { packageInfo } from '../package-info.js'
import { Scheduler } from '../schedules/scheduler.js'
import { LibsqlStore } from '../store/index.js'
import { ensureAdminKey } from './admin-token.js'

export interface ServerOptions {
  readonly logger: Logger
  /** How long stop() lets attempts in flight finish (default 10 s). */
  readonly graceMs?: number
}

/** Listens on the configured address; a taken port is an `unavailable` error that says what to do. */
function listen(
  fetch: (request: Request) => Response | Promise<Response>,
  config: Config,
): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const listening = serve({ fetch, hostname: config.host, port: config.port }, () =>
      resolve(listening),
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
  readonly #options: ServerOptions
  #stopped: Promise<void> | undefined

  private constructor(
    fields: Pick<WeirServer, 'context' | 'newAdminKey' | 'url' | 'recovered'>,
    server: ServerType,
    pool: WorkerPool,
    options: ServerOptions,
  ) {
    this.context = fields.context
    this.newAdminKey = fields.newAdminKey
    this.url = fields.url
    this.recovered = fields.recovered
    this.#server = server
    this.#pool = pool
    this.#options = options
  }

  static async start(config: Config, options: ServerOptions): Promise<WeirServer> {
    await mkdir(config.dataDir, { recursive: true })
    const store = await LibsqlStore.open({ url: config.dbUrl, durability: config.durability })
    const cache = new ComponentCache(join(config.dataDir, 'components'))
    const pool = await WorkerPool.start({ cache, size: Math.max(1, config.workers) })
    const catalog = new Catalog(store, cache)
    const engine = new Engine({ store, executor: pool, catalog, logger: options.logger })
    const apiKeys = new ApiKeys(store)
    const scheduler = new Scheduler({ store, engine, clock: systemClock, logger: options.logger })
    catalog.onFlowPublished((record) => scheduler.syncFlow(record))
    const version = packageInfo().version
    const context: AppContext = { store, catalog, engine, apiKeys, scheduler, version }
    const newAdminKey = await ensureAdminKey(apiKeys, config.dataDir)
    const recovered = await engine.recover()
    await scheduler.start()
    const app = createApp(context, {
      logger: options.logger,
      limits: {
        componentBytes: config.maxComponentMb * 2 ** 20,
        jsonBytes: config.maxJsonKb * 2 ** 10,
      },
    })
    let server: ServerType
    try {
      server = await listen(app.fetch, config)
    } catch (error) {
      scheduler.stop()
      await engine.stop(0)
      await pool.close()
      await store.close()
      throw error
    }
    const address = server.address() as AddressInfo
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
    const url = `http://${host}:${address.port}`
    options.logger.info({ url, recovered, version: context.version }, 'weir is listening')
    return new WeirServer({ context, newAdminKey, url, recovered }, server, pool, options)
  }

  /** Graceful shutdown; safe to call more than once. */
  stop(): Promise<void> {
    this.#stopped ??= this.#stop()
    return this.#stopped
  }

  async #stop(): Promise<void> {
    const { engine, store, scheduler } = this.context
    scheduler.stop()
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
    logger.info({}, 'weir stopped')
  }
}
