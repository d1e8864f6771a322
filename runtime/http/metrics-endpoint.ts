/**
 * `GET /metrics`: Prometheus's text format, outside the route table (it is
 * not part of the JSON API that /openapi.json describes, and who may read it
 * is a setting of the server): the viewer role, as every reading route, or no
 * key at all with `--metrics-public` (WEIR_METRICS_PUBLIC=1), for a
 * Prometheus that scrapes without credentials. The timing middleware it comes
 * with is registered here too, before every other handler, so that every
 * request is timed.
 */
import type { Env, Hono, MiddlewareHandler } from 'hono'
import { WeirError } from '../errors.js'
import { type ApiKeys, roleAllows } from './api-keys.js'

/** What the app needs of the metrics (WeirMetrics has it). */
export interface MetricsSource {
  /** Times every request (the app's first middleware). */
  readonly timing: MiddlewareHandler
  /** The exposition text and its content type. */
  scrape(): Promise<{ readonly contentType: string; readonly text: string }>
}

/** How the app serves its metrics (AppOptions `metrics`). */
export interface MetricsOptions {
  readonly source: MetricsSource
  /** Served without an API key (`--metrics-public`); else the viewer role is needed. */
  readonly public?: boolean
}

/** Registers the timing middleware, then `GET /metrics` (and its 405 for other methods). */
export function mountMetrics<E extends Env>(
  app: Hono<E>,
  apiKeys: ApiKeys,
  options: MetricsOptions,
): void {
  app.use(options.source.timing)
  app.get('/metrics', async (c) => {
    if (!options.public) {
      const key = await apiKeys.authenticate(c.req.header('authorization'))
      if (!roleAllows(key.role, 'viewer'))
        throw new WeirError(
          'forbidden',
          `this needs the viewer role; the key "${key.name}" has ${key.role}`,
        )
    }
    const { contentType, text } = await options.source.scrape()
    return c.body(text, 200, { 'content-type': contentType })
  })
  app.all('/metrics', (c) => {
    c.header('allow', 'GET, HEAD')
    throw new WeirError(
      'method_not_allowed',
      `/metrics does not take ${c.req.method}; it takes GET, HEAD`,
    )
  })
}
