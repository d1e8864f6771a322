/**
 * A span per API request, when tracing is on: named by the route's template
 * (`POST /v1/flows/{name}/runs`, never the raw path), a child of the
 * caller's `traceparent` when it sends one. The request's own trace context
 * is what a run it starts is started under. Tracing off, the caller's
 * `traceparent` is passed on as it came.
 */
import type { MiddlewareHandler } from 'hono'
import { formatTraceparent, parseTraceparent } from '../tracing/trace-ids.js'
import type { Tracing } from '../tracing/tracing.js'
import type { Route } from './route.js'

export type TracedEnv = { Variables: { traceparent: string | undefined } }

export function traced(route: Route, tracing: Tracing | undefined): MiddlewareHandler<TracedEnv> {
  const name = `${route.method.toUpperCase()} ${route.path}`
  return async (c, next) => {
    const header = c.req.header('traceparent')
    if (!tracing) {
      c.set('traceparent', header)
      return next()
    }
    const caller = parseTraceparent(header)
    const traceId = caller?.traceId ?? tracing.newTraceId()
    const spanId = tracing.newSpanId()
    c.set('traceparent', formatTraceparent({ traceId, spanId }))
    const start = Date.now()
    let failed: unknown
    try {
      await next()
    } catch (error) {
      failed = error
      throw error
    } finally {
      const status = failed === undefined ? c.res.status : 500
      tracing.record({
        name,
        kind: 'server',
        traceId,
        spanId,
        ...(caller ? { parentSpanId: caller.spanId } : {}),
        start,
        end: Date.now(),
        attributes: {
          'http.request.method': route.method.toUpperCase(),
          'http.route': route.path,
          'http.response.status_code': status,
        },
        ...(status >= 500 ? { error: `HTTP ${status}` } : {}),
      })
    }
  }
}
