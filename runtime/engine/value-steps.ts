/**
 * Steps that compute instead of calling a task: a `set` step's output is its
 * template's value; a `fail` step fails on purpose, as a task that returned an
 * error does (kind `task_error`, its code in `details.code`, so `onError`
 * routes it and `retry.nonRetryable` matches it). Either is one attempt,
 * recorded like a task's.
 */
import { type CompiledStep, evaluateTemplate, type JsonValue } from '../../types/index.js'
import type { ErrorKind } from '../store/records.js'
import type { Outcome } from './decide.js'
import { templateFailure } from './evaluation-failure.js'
import type { RunState } from './run-state.js'

/** True for a set or fail step. */
export const computesItself = (step: CompiledStep): boolean =>
  'set' in step.step || 'fail' in step.step

export function valueStepOutcome(state: RunState, step: CompiledStep): Outcome {
  const { attempt } = state.progress
  const failed = (kind: ErrorKind, message: string, details?: JsonValue): Outcome => ({
    status: 'failed',
    error: {
      step: step.id,
      task: '',
      kind,
      message,
      ...(details === undefined ? {} : { details }),
      attempt,
    },
  })
  let value: JsonValue
  try {
    value = step.value ? (evaluateTemplate(step.value, state.scope) ?? null) : null
  } catch (error) {
    const what = 'set' in step.step ? 'the value of the set step' : 'the message of the fail step'
    const f = templateFailure(error, 'output_invalid', `${what}: `)
    return failed(f.kind, f.message, f.details)
  }
  if (!('fail' in step.step)) return { status: 'succeeded', output: value }
  const { code } = step.step.fail
  return failed('task_error', String(value), code === undefined ? undefined : { code })
}
