/**
 * What a mutating route declares to be audited (`Route.audit`): the stable
 * name of its action, and how to name its target and a few safe details from
 * the call — its path parameters, its parsed body (picked from, never kept
 * whole) and its answer. The audit middleware (audit-middleware.ts) applies
 * it around the route's authentication and handler, so handlers hold no
 * audit code.
 */
import type { JsonValue } from '../../types/index.js'
import type { AuditDetails } from '../store/audit-store.js'
import type { RouteRequest } from './route.js'

/** A call as an audit spec sees it, once it was answered. */
export interface AuditedCall {
  /**
   * Path parameters as sent: not validated when the call was refused before
   * its parameters were read, so they may be anything (stored targets are cut
   * to 200 characters).
   */
  readonly path: Readonly<Record<string, string>>
  /** Query and header parameters, parsed and validated; undefined when they were refused. */
  readonly params: RouteRequest['params'] | undefined
  /** The parsed JSON body when it was read: a spec picks a safe fact from it, never keeps it. */
  readonly body: unknown
  /** The answer's HTTP status. */
  readonly status: number
  /** The answer's body when the call succeeded (status below 400); else undefined. */
  readonly answer: unknown
}

export interface AuditSpec {
  /** The action's stable name (`flow.publish`), or how a call names it (a callback, by what it reports). */
  readonly action: string | ((call: AuditedCall) => string)
  /** What the call acted on (`run:<id>`, `flow:checkout@3`); undefined when the call does not say. */
  readonly target?: (call: AuditedCall) => string | undefined
  /** A few safe facts: never a secret, a key, a token, or a body. */
  readonly details?: (call: AuditedCall) => AuditDetails | undefined
}

/**
 * The string or number at `path` in a value (an answer, a body) as text, or
 * undefined when something on the way is not an object or the end is neither.
 */
export function field(value: unknown, ...path: string[]): string | undefined {
  let at: unknown = value
  for (const name of path) {
    if (typeof at !== 'object' || at === null || Array.isArray(at)) return undefined
    at = (at as Record<string, unknown>)[name]
  }
  return typeof at === 'string' || typeof at === 'number' ? String(at) : undefined
}

/** `kind:name@version`, or `kind:name` without a version; undefined without a name. */
export function versioned(
  kind: string,
  name: string | undefined,
  version: string | undefined,
): string | undefined {
  if (name === undefined) return undefined
  return version === undefined ? `${kind}:${name}` : `${kind}:${name}@${version}`
}

/** An audit spec whose target is `kind:<path parameter>` (`run:<id>`, `secret:<name>`). */
export function onPathTarget(
  action: string,
  kind: string,
  parameter: string,
  details?: AuditSpec['details'],
): AuditSpec {
  return {
    action,
    target: ({ path }) => versioned(kind, path[parameter], undefined),
    ...(details ? { details } : {}),
  }
}

/** Details without the entries whose value is unknown; undefined when none is left. */
export function facts(
  entries: Readonly<Record<string, JsonValue | undefined>>,
): AuditDetails | undefined {
  const known = Object.entries(entries).filter(
    (entry): entry is [string, JsonValue] => entry[1] !== undefined,
  )
  return known.length === 0 ? undefined : Object.fromEntries(known)
}
