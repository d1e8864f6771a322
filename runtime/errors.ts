/**
 * weir's error taxonomy: the faults a caller can act on, each with a stable
 * `code` (matched by tests and API clients) and the HTTP status it maps to.
 * Expected outcomes (a task failing, a flow with type errors) are data, not
 * exceptions; these are for rejected requests and broken inputs.
 */
import { type JsonLimits, measureJson, type Problem } from '../types/index.js'

export type ErrorCode =
  | 'invalid_request'
  | 'invalid_document'
  | 'invalid_component'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'idempotency_key_reused'
  | 'payload_too_large'
  | 'too_many_requests'
  | 'build_failed'
  | 'unavailable'
  | 'storage_unavailable'
  | 'internal'

const statusOf: Record<ErrorCode, number> = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  idempotency_key_reused: 422,
  payload_too_large: 413,
  invalid_document: 422,
  invalid_component: 422,
  build_failed: 422,
  too_many_requests: 429,
  internal: 500,
  unavailable: 503,
  storage_unavailable: 503,
}

/** The title a problem+json answer carries for each code. */
export const titleOf: Record<ErrorCode, string> = {
  invalid_request: 'Invalid request',
  unauthorized: 'Unauthorized',
  forbidden: 'Forbidden',
  not_found: 'Not found',
  method_not_allowed: 'Method not allowed',
  conflict: 'Conflict',
  idempotency_key_reused: 'Idempotency key reused',
  payload_too_large: 'Payload too large',
  invalid_document: 'Invalid document',
  invalid_component: 'Invalid component',
  build_failed: 'Build failed',
  too_many_requests: 'Too many requests',
  internal: 'Internal error',
  unavailable: 'Unavailable',
  storage_unavailable: 'Storage unavailable',
}

export class WeirError extends Error {
  readonly code: ErrorCode
  readonly status: number
  /** Every problem found, each with a pointer, when there are several. */
  readonly problems: Problem[]

  /** `cause`: the underlying fault (a driver's error), kept for the log. */
  constructor(code: ErrorCode, message: string, problems: Problem[] = [], cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause })
    this.name = 'WeirError'
    this.code = code
    this.status = statusOf[code]
    this.problems = problems
  }
}

/**
 * A change of a run that this node no longer owns: another node claimed the
 * run (its lease had expired), so the run's epoch moved on and the change was
 * not written. The node drops the run from memory; its new owner drives it.
 */
export class FencedError extends WeirError {
  readonly runId: string

  constructor(runId: string, expected: number, found: number | undefined) {
    super(
      'conflict',
      found === undefined
        ? `run ${runId} does not exist`
        : `run ${runId} is driven by another node now (its epoch is ${found}, this node held ${expected})`,
    )
    this.name = 'FencedError'
    this.runId = runId
  }
}

/**
 * A run could not take a slot of its flow's concurrency limit: as many runs
 * of the flow as the limit allows hold one (on this node or others). The
 * engine queues the run (or keeps it queued) instead.
 */
export class NoSlotError extends WeirError {
  constructor(flow: string, limit: number) {
    super('unavailable', `flow ${flow} has ${limit} runs going, its concurrency limit`)
    this.name = 'NoSlotError'
  }
}

/**
 * A value over the limits on what weir stores (WEIR_MAX_VALUE_KB,
 * WEIR_MAX_DEPTH): `payload_too_large` naming the limit and where it was
 * passed; undefined when the value is within them.
 */
export function valueOverLimits(
  what: string,
  value: unknown,
  limits: JsonLimits,
): WeirError | undefined {
  const measured = measureJson(value, limits)
  if (measured.ok) return undefined
  const variable = measured.code === 'value_too_deep' ? 'WEIR_MAX_DEPTH' : 'WEIR_MAX_VALUE_KB'
  const where = measured.pointer ? ` at ${measured.pointer}` : ''
  return new WeirError('payload_too_large', `${what} ${measured.message}${where} (${variable})`, [
    { pointer: measured.pointer, code: measured.code, message: measured.message },
  ])
}

/** A value that fails its schema: `<what>: <first pointer>: <first message>`, with every problem. */
export function invalidDocument(what: string, problems: Problem[]): WeirError {
  const first = problems[0]
  return new WeirError(
    'invalid_document',
    `${what}: ${first?.pointer || '/'}: ${first?.message}`,
    problems,
  )
}

/**
 * A value the store cannot write as JSON (nested too deeply for
 * `JSON.stringify`, a BigInt, a cycle). Thrown when a change is serialized,
 * before it joins a group commit, so it fails alone; the engine fails the run
 * that produced it instead of leaving it stuck.
 */
export class UnstorableValueError extends WeirError {
  constructor(message: string, cause?: unknown) {
    super('invalid_request', message, [], cause)
    this.name = 'UnstorableValueError'
  }
}

/** Bytes that are not a well-formed WebAssembly component; says where and why. */
export class InvalidComponentError extends WeirError {
  readonly offset: number | undefined
  constructor(message: string, offset?: number) {
    super('invalid_component', offset === undefined ? message : `${message} (at byte ${offset})`)
    this.name = 'InvalidComponentError'
    this.offset = offset
  }
}
