/**
 * What happens after an attempt finishes, as a pure function of the flow, the
 * values in scope and the attempt: the next step (and the edge that led
 * there), completion with the run's output, a retry at a given time, an error
 * routed to the step's `onError`, or failure. No I/O; the run loop applies it.
 */
import {
  type CompiledFlow,
  type CompiledStep,
  celToJson,
  type ExpressionScope,
  evaluateTemplate,
  type JsonValue,
} from '../../types/index.js'
import type { RunError } from '../store/records.js'
import { conditionFailure, type EvaluationFailure, templateFailure } from './evaluation-failure.js'
import { retryDelay } from './retry-policy.js'

export type Outcome =
  | { readonly status: 'succeeded'; readonly output: JsonValue }
  | { readonly status: 'failed'; readonly error: RunError }

export interface FinishedAttempt {
  readonly stepIndex: number
  readonly attempt: number
  /** Attempts before a retry of the run: they do not count against `maximumAttempts`. */
  readonly attemptBase?: number
  /** Step runs started so far, this one included. */
  readonly stepRuns: number
  readonly outcome: Outcome
  /** When the attempt finished (epoch ms). */
  readonly at: number
}

/** Which edge was taken: its index in `next` (null when the run fell through), the condition, the target. */
export interface BranchTaken {
  readonly edge: number | null
  readonly condition?: string
  readonly target: string
}

export type Decision =
  | { readonly kind: 'advance'; readonly next: number; readonly branch: BranchTaken | undefined }
  | {
      readonly kind: 'complete'
      readonly output: JsonValue
      readonly branch: BranchTaken | undefined
    }
  | {
      readonly kind: 'retry'
      readonly attempt: number
      readonly at: number
      readonly delayMs: number
    }
  | { readonly kind: 'route'; readonly next: number }
  | { readonly kind: 'fail'; readonly error: RunError }

export const defaultMaxStepRuns = 10_000

function budgetOf(flow: CompiledFlow): number {
  return flow.document.limits?.maxStepRuns ?? defaultMaxStepRuns
}

function failure(
  step: CompiledStep,
  attempt: number,
  kind: RunError['kind'],
  message: string,
  details?: JsonValue,
): RunError {
  return {
    step: step.id,
    task: step.task ? `${step.task.name}@${step.task.version}` : '',
    kind,
    message,
    ...(details === undefined ? {} : { details }),
    attempt,
  }
}

/** The run's output: the output template, or else the output of the last step. */
export function runOutput(
  flow: CompiledFlow,
  scope: ExpressionScope,
  last: JsonValue,
): { output: JsonValue } | { error: EvaluationFailure<'output_invalid'> } {
  if (!flow.output) return { output: last }
  try {
    return { output: evaluateTemplate(flow.output, scope) ?? null }
  } catch (error) {
    return { error: templateFailure(error, 'output_invalid', "the flow's output: ") }
  }
}

function takeEdge(flow: CompiledFlow, step: CompiledStep, scope: ExpressionScope, attempt: number) {
  for (const edge of step.edges) {
    if (edge.condition) {
      let value: unknown
      try {
        value = celToJson(edge.condition.evaluate(scope))
      } catch (error) {
        const f = conditionFailure(error, `${edge.pointer}/if`, edge.condition.source)
        return { error: failure(step, attempt, f.kind, f.message, f.details) }
      }
      if (value !== true) continue
    }
    const target = edge.target === 'end' ? 'end' : (flow.steps[edge.target] as CompiledStep).id
    const branch: BranchTaken = {
      edge: edge.edgeIndex ?? null,
      ...(edge.condition ? { condition: edge.condition.source } : {}),
      target,
    }
    return { target: edge.target, branch }
  }
  return { target: 'end' as const, branch: undefined }
}

export function decide(
  flow: CompiledFlow,
  scope: ExpressionScope,
  finished: FinishedAttempt,
): Decision {
  const step = flow.steps[finished.stepIndex] as CompiledStep
  const { outcome } = finished
  const overBudget = (): Decision | undefined =>
    finished.stepRuns + 1 > budgetOf(flow)
      ? {
          kind: 'fail',
          error: failure(
            step,
            finished.attempt,
            'limit_exceeded',
            `the run exceeded its budget of ${budgetOf(flow)} step runs`,
          ),
        }
      : undefined

  if (outcome.status === 'failed') {
    // A for-each step's retry is each item's (in its child run), not the step's.
    const retryPolicy =
      'retry' in step.step && !('forEach' in step.step) ? step.step.retry : undefined
    const delay = retryDelay(
      retryPolicy,
      finished.attempt - (finished.attemptBase ?? 0),
      outcome.error,
    )
    if (delay !== undefined)
      return {
        kind: 'retry',
        attempt: finished.attempt + 1,
        at: finished.at + delay,
        delayMs: delay,
      }
    if (step.onError === 'end') return { kind: 'fail', error: outcome.error }
    if (step.onError !== undefined) return overBudget() ?? { kind: 'route', next: step.onError }
    return { kind: 'fail', error: outcome.error }
  }

  const taken = takeEdge(flow, step, scope, finished.attempt)
  if ('error' in taken) return { kind: 'fail', error: taken.error as RunError }
  if (taken.target === 'end') {
    const result = runOutput(flow, scope, outcome.output)
    if ('error' in result) {
      const { kind, message, details } = result.error
      return { kind: 'fail', error: failure(step, finished.attempt, kind, message, details) }
    }
    return { kind: 'complete', output: result.output, branch: taken.branch }
  }
  return overBudget() ?? { kind: 'advance', next: taken.target, branch: taken.branch }
}
