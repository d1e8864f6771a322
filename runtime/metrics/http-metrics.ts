/**
 * HTTP request durations by method, route and status, timed by the app's
 * first middleware. The route is the path template of the route that
 * answered (`/v1/runs/{id}`, as the route table writes it), never the
 * request's path, so that ids do not become series; a request no route
 * matched is `unmatched`, and a method outside HTTP's usual ones `other`.
 */
import type { Context, MiddlewareHandler } from 'hono'
import { matchedRoutes } from 'hono/route'
import { Histogram, type Registry } from 'prom-client'

/** Seconds, from half a millisecond to thirty seconds (a `?wait` start waits for its run). */
const requestBuckets = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
]

const methods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])

/** Hono's paths to templates, once each: there are as many as routes. */
const templates = new Map<string, string>()

/** `/v1/runs/:id` → `/v1/runs/{id}`; a constrained parameter (`:part{input|output}`) too. */
function template(path: string): string {
  let known = templates.get(path)
  if (known === undefined) {
    known = path.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, '{$1}')
    templates.set(path, known)
  }
  return known
}

/**
 * The template of the route that answered: the last matched handler that is
 * a route, not a middleware on every path (`*`); `unmatched` when there is none.
 */
export function routeTemplate(c: Context): string {
  const routes = matchedRoutes(c)
  for (let i = routes.length - 1; i >= 0; i--) {
    const route = routes[i]
    if (route && (route.method !== 'ALL' || !route.path.endsWith('*'))) return template(route.path)
  }
  return 'unmatched'
}

/** The histogram, and the middleware that times every request into it. */
export function httpMetrics(registry: Registry): MiddlewareHandler {
  const duration = new Histogram({
    name: 'weir_http_request_duration_seconds',
    help: 'HTTP requests by method, route template and status: time until the answer (a stream: until it began)',
    labelNames: ['method', 'route', 'status'],
    buckets: requestBuckets,
    registers: [registry],
  })
  return async (c, next) => {
    const started = performance.now()
    try {
      await next()
    } finally {
      const method = methods.has(c.req.method) ? c.req.method : 'other'
      const labels = { method, route: routeTemplate(c), status: String(c.res.status) }
      duration.observe(labels, (performance.now() - started) / 1000)
    }
  }
}
