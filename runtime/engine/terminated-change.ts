/**
 * The change that ends a run whose attempt a terminate interrupted: the
 * attempt as cancelled, and the run as terminated — or as timed out, when it
 * was the run's deadline that cut the attempt short.
 */
import type { RunError } from '../store/records.js'
import type { RunChange } from '../store/store.js'
import type { Outcome } from './decide.js'
import type { RunState } from './run-state.js'
import { type AttemptReport, interruptedChange } from './transitions.js'

export function terminatedChange(state: RunState, report: AttemptReport): RunChange {
  const timedOut =
    state.progress.deadline !== undefined && report.finishedAt >= state.progress.deadline
  const task = report.step.task ? `${report.step.task.name}@${report.step.task.version}` : ''
  const outcome: Outcome =
    report.outcome.status === 'failed' && report.outcome.error.kind === 'cancelled'
      ? report.outcome
      : {
          status: 'failed',
          error: {
            step: report.step.id,
            task,
            kind: 'cancelled',
            message: 'the attempt was terminated',
            attempt: report.attempt,
          },
        }
  const error: RunError | undefined = timedOut
    ? {
        step: report.step.id,
        task,
        kind: 'timeout',
        message: 'the run did not finish within its timeout',
        attempt: report.attempt,
      }
    : undefined
  return interruptedChange(
    state.id,
    state.progress,
    { ...report, outcome },
    timedOut ? 'timed_out' : 'terminated',
    error,
  )
}
