/**
 * The bounds on what a task returns. A component can return a value of any
 * size its memory holds, and weir validates, posts, stores and serves that
 * value: it is measured first, in the worker, by a walk that stops at the
 * first bound passed and cannot overflow the stack, so nothing later (ajv,
 * structured clone, JSON.stringify, the store) ever sees a value too deep or
 * too large.
 */
import { type JsonLimits, type JsonValue, measureJson } from '../../types/index.js'
import type { AttemptFailure } from './executor.js'

/**
 * The failure of an attempt whose output (or error payload) passes the limits,
 * or undefined when it is within them.
 */
export function valueLimitFailure(
  what: 'output' | 'error',
  value: JsonValue,
  limits: JsonLimits,
): AttemptFailure | undefined {
  const measured = measureJson(value, limits)
  if (measured.ok) return undefined
  const where = measured.code === 'value_too_deep' ? ` at ${measured.pointer || '/'}` : ''
  return {
    kind: 'limit_exceeded',
    message: `the task's ${what} ${measured.message}${where}`,
    details: { code: measured.code, limit: measured.limit, pointer: measured.pointer },
  }
}
