/**
 * The Hono app of the HTTP API: every route of the route table, each behind
 * authentication (a role check on everything but the open routes), a body
 * size limit answered before the body is read past it, and one error handler
 * that turns every failure into problem+json.
 */
import { type Context, Hono, type MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { prettyJSON } from 'hono/pretty-json'
import type { ContentfulStatusCode, StatusCode } from 'hono/utils/http-status'
import { WeirError } from '../errors.js'
import type { ApiKeyRecord } from '../store/records.js'
import { roleAllows } from './api-keys.js'
import { problemOf } from './problem.js'
import { readBody, readParameters } from './request.js'
import type { AppContext, Route, RouteResponse } from './route.js'
import { routes } from './routes/index.js'

export interface Limits {
  /** Largest component upload, in bytes (default 32 MiB: a componentize-js component is about 12). */
  readonly componentBytes: number
  /** Largest JSON body, in bytes (default 1 MiB). */
  readonly jsonBytes: number
}

export const defaultLimits: Limits = { componentBytes: 32 * 2 ** 20, jsonBytes: 2 ** 20 }

/** Where request lines go (at debug); pino's logger fits. */
export interface RequestLogger {
  debug(fields: Record<string, unknown>, message: string): void
  error(fields: Record<string, unknown>, message: string): void
  isLevelEnabled(level: string): boolean
}

export interface AppOptions {
  readonly limits?: Partial<Limits>
  readonly logger?: RequestLogger
}

type Env = { Variables: { key: ApiKeyRecord | undefined } }

/** `/v1/runs/{id}` → `/v1/runs/:id`. */
export const honoPath = (path: string) => path.replace(/\{([^}]+)\}/g, ':$1')

function respond(c: Context, response: RouteResponse): Response {
  for (const [name, value] of Object.entries(response.headers ?? {})) c.header(name, value)
  if (response.body === undefined) return c.body(null, response.status as StatusCode)
  return c.json(response.body, response.status as ContentfulStatusCode)
}

function authorize(route: Route, context: AppContext): MiddlewareHandler<Env> {
  return async (c, next) => {
    const required = route.role
    if (required === undefined) return next()
    const key = await context.apiKeys.authenticate(c.req.header('authorization'))
    if (!roleAllows(key.role, required))
      throw new WeirError(
        'forbidden',
        `this needs the ${required} role; the key "${key.name}" has ${key.role}`,
      )
    c.set('key', key)
    return next()
  }
}

function limitBody(route: Route, limits: Limits): MiddlewareHandler<Env> {
  const maxSize = route.body?.limit === 'component' ? limits.componentBytes : limits.jsonBytes
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new WeirError(
        'payload_too_large',
        `the body is larger than the limit of ${maxSize} bytes`,
      )
    },
  })
}

export function createApp(context: AppContext, options: AppOptions = {}): Hono<Env> {
  const limits: Limits = { ...defaultLimits, ...options.limits }
  const logger = options.logger
  const app = new Hono<Env>()
  const problem = (c: Context, error: unknown) => {
    const { status, body } = problemOf(error)
    if (status >= 500 && logger) logger.error({ err: error, path: c.req.path }, 'request failed')
    c.header('content-type', 'application/problem+json')
    return c.body(JSON.stringify(body), status as ContentfulStatusCode)
  }
  app.onError((error, c) => problem(c, error))
  app.notFound((c) =>
    problem(c, new WeirError('not_found', `no route for ${c.req.method} ${c.req.path}`)),
  )
  if (logger?.isLevelEnabled('debug')) {
    app.use(async (c, next) => {
      const start = performance.now()
      await next()
      const ms = Math.round((performance.now() - start) * 100) / 100
      logger.debug({ method: c.req.method, path: c.req.path, status: c.res.status, ms }, 'request')
    })
  }
  app.use(prettyJSON({ query: 'pretty' }))
  for (const route of routes) {
    app.on(
      route.method.toUpperCase(),
      honoPath(route.path),
      authorize(route, context),
      limitBody(route, limits),
      async (c) => {
        const params = readParameters(c, route)
        const { body, bytes } = await readBody(c, route)
        const origin = new URL(c.req.url).origin
        const response = await route.handle(
          { params, body, bytes, key: c.get('key'), origin },
          context,
        )
        return respond(c, response)
      },
    )
  }
  return app
}
