/**
 * The Hono app of the HTTP API: every route of the route table, each behind
 * authentication (a role check on everything but the open routes), a body
 * size limit answered before the body is read past it, a depth limit on JSON
 * bodies, and one error handler that turns every failure into problem+json.
 * HTTP's conventions hold: a 401 says `WWW-Authenticate: Bearer`, a known path
 * asked with another method is a 405 with `Allow`, and URLs made for clients
 * are relative or under `WEIR_PUBLIC_URL` (never the request's own origin,
 * which is wrong behind a TLS-terminating load balancer).
 * Callback tokens are credentials: the request log and the error log mask them.
 */
import { type Context, Hono, type MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { prettyJSON } from 'hono/pretty-json'
import type { ContentfulStatusCode, StatusCode } from 'hono/utils/http-status'
import { type ConsoleOptions, consoleApp } from '../console/console-app.js'
import { WeirError } from '../errors.js'
import { processStreams, type StreamSlots } from '../live/stream-slots.js'
import type { ApiKeyRecord } from '../store/records.js'
import type { Tracing } from '../tracing/tracing.js'
import { roleAllows } from './api-keys.js'
import { type AuditVariables, auditCalls } from './audit-middleware.js'
import { defaultHeartbeatMs, eventStream } from './event-stream.js'
import { type MetricsOptions, mountMetrics } from './metrics-endpoint.js'
import { problemOf } from './problem.js'
import { readBody, readParameters } from './request.js'
import { traced } from './request-tracing.js'
import type { AppContext, Route, RouteResponse } from './route.js'
import { routes } from './routes/index.js'

export interface Limits {
  /** Largest component upload, in bytes (default 32 MiB: a componentize-js component is about 12). */
  readonly componentBytes: number
  /** Largest JSON body, in bytes (default 1 MiB). */
  readonly jsonBytes: number
  /**
   * Deepest nesting of a JSON body (default 64, WEIR_MAX_DEPTH): deeper values
   * overflow the stack of the validators and checkers that walk them.
   */
  readonly maxDepth: number
}

export const defaultLimits: Limits = {
  componentBytes: 32 * 2 ** 20,
  jsonBytes: 2 ** 20,
  maxDepth: 64,
}

/**
 * Seconds a client is asked to wait (`Retry-After`) after a 503: the bounds on
 * active runs and waiters free up as runs finish, a stopping server comes back.
 */
export const retryAfterSeconds = 1

/** Where request lines go (at debug) and internal errors (at error); pino's logger fits. */
export interface RequestLogger {
  debug(fields: Record<string, unknown>, message: string): void
  error(fields: Record<string, unknown>, message: string): void
  isLevelEnabled(level: string): boolean
}

export interface AppOptions {
  readonly limits?: Partial<Limits>
  readonly logger?: RequestLogger
  /**
   * The URL clients reach weir at (WEIR_PUBLIC_URL), for the absolute URLs
   * handed to third parties (callback URLs). Without it they are built from
   * the request's origin, which a TLS-terminating proxy makes `http://…`.
   */
  readonly publicUrl?: string
  /** The bound on open live streams (`?follow=1`); by default the process's, 200. */
  readonly streams?: StreamSlots
  /** Milliseconds between two heartbeat comments of a live stream (default 15 s). */
  readonly heartbeatMs?: number
  /** Records a span per request (tracing on: OTEL_EXPORTER_OTLP_ENDPOINT). */
  readonly tracing?: Tracing
  /** Serves the web console (`/console`) beside the API, its sessions signed with this key. */
  readonly console?: ConsoleOptions
  /** Serves `GET /metrics` and times every request into it (metrics-endpoint.ts). */
  readonly metrics?: MetricsOptions
}

type Env = {
  Variables: { key: ApiKeyRecord | undefined; traceparent: string | undefined } & AuditVariables
}

/** `/v1/runs/{id}` → `/v1/runs/:id`. */
export const honoPath = (path: string) => path.replace(/\{([^}]+)\}/g, ':$1')

const callbackPath = /^(\/v1\/callbacks\/)([^/]*)/
const tokenShape = /([0-9A-Z]{26}\.\d{1,9}\.)[A-Za-z0-9_-]+/g

/**
 * A path fit for a log: a callback token (`<run>.<seq>.<secret>`) keeps its
 * run and step, and its secret — the step's only credential — becomes `***`
 * (the whole token when it has another shape).
 */
export function maskPath(path: string): string {
  return path.replace(callbackPath, (_, prefix: string, token: string) => {
    const named = /^[0-9A-Z]{26}\.\d{1,9}\./.exec(token)
    return `${prefix}${named ? named[0] : ''}***`
  })
}

/**
 * Text fit for a log: callback tokens in it lose their secret, and so does
 * `literal`, the request's own token whatever its shape (when long enough to
 * be a secret: a short one would mask ordinary words).
 */
function maskText(text: string, literal: string | undefined): string {
  const masked = literal && literal.length >= 16 ? text.replaceAll(literal, '***') : text
  return masked.replace(tokenShape, '$1***')
}

/**
 * What the error log keeps of an error: its name, code, message, stack and
 * its cause's, with tokens masked — not the error object, whose other fields
 * could carry the request's URL. No prototype, so that pino's serializer
 * names it by `name` (its type) rather than `Object`.
 */
function loggedError(
  error: unknown,
  token: string | undefined,
  depth = 0,
): Record<string, unknown> {
  const logged: Record<string, unknown> = Object.create(null)
  if (!(error instanceof Error))
    return Object.assign(logged, { message: maskText(String(error), token) })
  const code = (error as { code?: unknown }).code
  return Object.assign(logged, {
    name: error.constructor.name || error.name,
    message: maskText(error.message, token),
    ...(typeof code === 'string' ? { code } : {}),
    ...(error.stack ? { stack: maskText(error.stack, token) } : {}),
    ...(error.cause !== undefined && depth < 2
      ? { cause: loggedError(error.cause, token, depth + 1) }
      : {}),
  })
}

/**
 * The methods a path is served with, for the `Allow` of a 405: each route's
 * path as a pattern (a `{name}` segment matches any one segment, as Hono's
 * `:name` does); HEAD goes with GET, which Hono answers it with.
 */
export function allowedMethods(routes: readonly Route[]): (path: string) => string[] {
  const patterns = routes.map((route) => ({
    method: route.method.toUpperCase(),
    pattern: new RegExp(
      `^${route.path
        .split(/\{[^}]+\}/)
        .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
        .join('[^/]+')}$`,
    ),
  }))
  return (path) => {
    const methods = new Set(patterns.filter((p) => p.pattern.test(path)).map((p) => p.method))
    if (methods.has('GET')) methods.add('HEAD')
    return [...methods]
  }
}

/** How the app answers live streams: their bound, heartbeat, and where their failures are logged. */
interface Streaming {
  readonly slots: StreamSlots
  readonly heartbeatMs: number
  readonly logger: RequestLogger | undefined
}

function respond(c: Context, response: RouteResponse, streaming: Streaming): Response {
  for (const [name, value] of Object.entries(response.headers ?? {})) c.header(name, value)
  if (response.stream) {
    const { logger, heartbeatMs } = streaming
    return eventStream(c, response.stream, {
      heartbeatMs,
      release: streaming.slots.take(),
      onError: (error) => {
        const { status } = problemOf(error)
        if (status >= 500 && status !== 503 && logger)
          logger.error(
            { err: loggedError(error, undefined), path: maskPath(c.req.path) },
            'stream failed',
          )
      },
    })
  }
  if (response.body === undefined) return c.body(null, response.status as StatusCode)
  return c.json(response.body, response.status as ContentfulStatusCode)
}

function authorize(route: Route, context: AppContext): MiddlewareHandler<Env> {
  return async (c, next) => {
    const required = route.role
    if (required === undefined) return next()
    const key = await context.apiKeys.authenticate(c.req.header('authorization'))
    // Set before the role check, so that the audit of a refused call names its key.
    c.set('key', key)
    if (!roleAllows(key.role, required))
      throw new WeirError(
        'forbidden',
        `this needs the ${required} role; the key "${key.name}" has ${key.role}`,
      )
    return next()
  }
}

/**
 * The size limit of a route that reads a body. A body with a Content-Length
 * is judged by it (Node's parser holds the body to it) and read later straight
 * from the connection; a chunked one is read through the limit, and one that
 * breaks off meanwhile (the client went away, or the server's request timeout
 * cut it off) is a 400, not a 500. A route without a body never reads one.
 */
function limitBody(route: Route, limits: Limits): MiddlewareHandler<Env> {
  const maxSize = route.body?.limit === 'component' ? limits.componentBytes : limits.jsonBytes
  const tooLarge = () =>
    new WeirError('payload_too_large', `the body is larger than the limit of ${maxSize} bytes`)
  const limit = bodyLimit({
    maxSize,
    onError: () => {
      throw tooLarge()
    },
  })
  return async (c, next) => {
    if (!route.body) return next()
    const length = c.req.header('content-length')
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (Number(length) > maxSize) throw tooLarge()
      return next()
    }
    let reached = false
    try {
      return await limit(c, () => {
        reached = true
        return next()
      })
    } catch (error) {
      if (reached || error instanceof WeirError) throw error
      throw new WeirError(
        'invalid_request',
        `the body could not be read: ${(error as Error).message}`,
      )
    }
  }
}

export function createApp(context: AppContext, options: AppOptions = {}): Hono<Env> {
  const limits: Limits = { ...defaultLimits, ...options.limits }
  const logger = options.logger
  const publicUrl = options.publicUrl?.replace(/\/+$/, '')
  const app = new Hono<Env>()
  const problem = (c: Context, error: unknown) => {
    const { status, body } = problemOf(error)
    // 503s are refusals the client is told to retry (stopping, a bound reached, storage
    // unavailable, which the store and the engine log where it happens), not faults.
    if (status >= 500 && status !== 503 && logger) {
      const token = callbackPath.exec(c.req.path)?.[2]
      logger.error({ err: loggedError(error, token), path: maskPath(c.req.path) }, 'request failed')
    }
    if (status === 503) c.header('retry-after', String(retryAfterSeconds))
    // RFC 9110 §11.6.1: a 401 names the scheme that would authenticate (RFC 6750's Bearer).
    if (status === 401) c.header('www-authenticate', 'Bearer realm="weir"')
    c.header('content-type', 'application/problem+json')
    return c.body(JSON.stringify(body), status as ContentfulStatusCode)
  }
  app.onError((error, c) => problem(c, error))
  const methodsOf = allowedMethods(routes)
  app.notFound((c) => {
    const allowed = methodsOf(c.req.path)
    if (allowed.length === 0)
      return problem(c, new WeirError('not_found', `no route for ${c.req.method} ${c.req.path}`))
    c.header('allow', allowed.join(', '))
    return problem(
      c,
      new WeirError(
        'method_not_allowed',
        `${c.req.path} does not take ${c.req.method}; it takes ${allowed.join(', ')}`,
      ),
    )
  })
  if (logger?.isLevelEnabled('debug')) {
    app.use(async (c, next) => {
      const start = performance.now()
      await next()
      const ms = Math.round((performance.now() - start) * 100) / 100
      const path = maskPath(c.req.path)
      logger.debug({ method: c.req.method, path, status: c.res.status, ms }, 'request')
    })
  }
  if (options.metrics) mountMetrics(app, context.apiKeys, options.metrics)
  if (options.console) app.route('/', consoleApp(context, options.console))
  app.use(prettyJSON({ query: 'pretty' }))
  const streaming: Streaming = {
    slots: options.streams ?? processStreams,
    heartbeatMs: options.heartbeatMs ?? defaultHeartbeatMs,
    logger,
  }
  for (const route of routes) {
    app.on(
      route.method.toUpperCase(),
      honoPath(route.path),
      traced(route, options.tracing),
      auditCalls(route, context, logger),
      authorize(route, context),
      limitBody(route, limits),
      async (c) => {
        const params = readParameters(c, route)
        const { body, bytes } = await readBody(c, route, limits)
        const baseUrl = publicUrl ?? new URL(c.req.url).origin
        const traceparent = c.get('traceparent')
        const request = { params, body, bytes, key: c.get('key'), baseUrl, traceparent }
        c.set('request', request)
        const response = await route.handle(request, context)
        c.set('response', response)
        return respond(c, response, streaming)
      },
    )
  }
  return app
}
