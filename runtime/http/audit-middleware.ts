/**
 * The audit middleware: around a mutating route's authentication, body limit
 * and handler, it writes the route's audit entry (audit-spec.ts) once the
 * answer is known and before it is sent, so a client that got an answer
 * finds its call in the log. Refused calls are entries too: a 401 (no key:
 * key fields null), a 403 (the key that was refused), a 422, each with its
 * error code as the outcome. An entry that cannot be written is logged at
 * error with its fields and the answer goes out as it was: the call took
 * effect, and failing its answer would have the client repeat it.
 */
import type { Context, MiddlewareHandler } from 'hono'
import { sortableId } from '../ids.js'
import type { AuditEntry } from '../store/audit-store.js'
import type { ApiKeyRecord } from '../store/records.js'
import type { AuditedCall, AuditSpec } from './audit-spec.js'
import { problemOf } from './problem.js'
import type { AppContext, Route, RouteRequest, RouteResponse } from './route.js'

/** Where an entry that could not be written is logged (pino's logger fits). */
export interface AuditLogger {
  error(fields: Record<string, unknown>, message: string): void
}

/** What the app's middlewares and handler leave on the context for the audit. */
export interface AuditVariables {
  /** The authenticated key: set before its role is checked, so a 403 names it. */
  key: ApiKeyRecord | undefined
  /** The request as the handler got it (parameters and body read). */
  request: RouteRequest | undefined
  /** The handler's answer. */
  response: RouteResponse | undefined
}

type AuditEnv = { Variables: AuditVariables }

/** Longest target or text detail kept: a refused call's path parameters may be anything. */
const maxText = 200

const clip = (text: string): string =>
  text.length <= maxText ? text : `${text.slice(0, maxText)}…`

/** `ok`, or the code of the error the call was answered with. */
function outcomeOf(status: number, error: unknown): string {
  if (status < 400) return 'ok'
  return error === undefined ? `http_${status}` : String(problemOf(error).body.code)
}

/** What the log keeps of a failed write: the error's name, code and message. */
function loggedError(error: Error): Record<string, unknown> {
  const code = (error as { code?: unknown }).code
  return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}) }
}

/** The entry of an answered call. */
export function auditEntry(
  spec: AuditSpec,
  c: Context<AuditEnv>,
  node: string,
  at: number,
): AuditEntry {
  const status = c.res.status
  const request = c.get('request')
  const call: AuditedCall = {
    path: c.req.param() as Record<string, string>,
    params: request?.params,
    body: request?.body,
    status,
    answer: status < 400 ? c.get('response')?.body : undefined,
  }
  const key = c.get('key')
  const target = spec.target?.(call)
  const details = spec.details?.(call)
  return {
    id: sortableId(at),
    at,
    keyId: key?.id,
    keyName: key?.name,
    role: key?.role,
    action: typeof spec.action === 'string' ? spec.action : spec.action(call),
    target: target === undefined ? undefined : clip(target),
    outcome: outcomeOf(status, c.error),
    status,
    node,
    details:
      details &&
      Object.fromEntries(
        Object.entries(details).map(([name, value]) => [
          name,
          typeof value === 'string' ? clip(value) : value,
        ]),
      ),
  }
}

/**
 * The middleware that audits calls of `route`, placed before its
 * authentication (so refusals are audited); a route without an audit spec
 * passes through.
 */
export function auditCalls(
  route: Route,
  context: AppContext,
  logger: AuditLogger | undefined,
): MiddlewareHandler<AuditEnv> {
  const spec = route.audit
  if (!spec) return (_c, next) => next()
  return async (c, next) => {
    await next()
    let entry: AuditEntry | undefined
    try {
      entry = auditEntry(spec, c, context.engine.node.id, Date.now())
      await context.store.audit.append(entry)
    } catch (error) {
      logger?.error(
        {
          err: error instanceof Error ? loggedError(error) : String(error),
          audit: entry,
        },
        'audit entry not written',
      )
    }
  }
}
