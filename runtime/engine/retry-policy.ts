/**
 * Retries of a step: how many attempts, which errors never retry, and the
 * delay before each retry (exponential backoff, capped, without jitter so that
 * timings are predictable and testable).
 */
import type { RetryPolicy } from '../../types/index.js'
import type { RunError } from '../store/records.js'

/** Errors retrying cannot fix: the same input fails the same way, or the run is being stopped. */
const neverRetried = new Set(['input_invalid', 'cancelled'])

/**
 * The error's code: a task error payload's `code`, if it has one; for a child
 * run that failed, the code of the child's error (a `fail` step's code, say),
 * so that `nonRetryable` matches it through the sub-flow.
 */
export function errorCode(error: RunError): string | undefined {
  const details = error.details
  if (details === null || typeof details !== 'object' || Array.isArray(details)) return undefined
  const fields = details as Record<string, unknown>
  if (error.kind === 'child_failed') {
    const child = fields.error
    return child !== null && typeof child === 'object' ? errorCode(child as RunError) : undefined
  }
  return typeof fields.code === 'string' ? fields.code : undefined
}

/** The delay before retrying after `attempt` failed, or undefined when no attempt is left. */
export function retryDelay(
  policy: RetryPolicy | undefined,
  attempt: number,
  error: RunError,
): number | undefined {
  if (!policy || neverRetried.has(error.kind)) return undefined
  const nonRetryable = policy.nonRetryable ?? []
  const code = errorCode(error)
  if (nonRetryable.includes(error.kind) || (code !== undefined && nonRetryable.includes(code)))
    return undefined
  const maximumAttempts = policy.maximumAttempts ?? 0
  if (maximumAttempts > 0 && attempt >= maximumAttempts) return undefined
  const initial = policy.initialIntervalMs ?? 1000
  const coefficient = policy.backoffCoefficient ?? 2
  const maximum = policy.maximumIntervalMs ?? 100 * initial
  return Math.min(initial * coefficient ** (attempt - 1), maximum)
}
