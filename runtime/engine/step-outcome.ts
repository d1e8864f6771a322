/**
 * What a step's end changes, once for every way a step ends (an attempt's
 * outcome, a wait that ends): the outcome set in the run's scope, the pure
 * decision taken (decide.ts), and the change to commit (transitions.ts).
 */
import type { JsonValue } from '../../types/index.js'
import type { RunChange } from '../store/store.js'
import { decide } from './decide.js'
import type { RunState } from './run-state.js'
import { type AttemptReport, attemptChange } from './transitions.js'

export function stepOutcomeChange(state: RunState, report: AttemptReport): RunChange {
  const { step, outcome, attempt, finishedAt } = report
  state.scope.setStep(
    step.id,
    outcome.status === 'succeeded'
      ? { output: outcome.output }
      : { error: outcome.error as unknown as JsonValue },
  )
  const decision = decide(state.loaded.compiled, state.scope, {
    stepIndex: step.index,
    attempt,
    attemptBase: state.progress.attemptBase ?? 0,
    stepRuns: state.progress.stepRuns,
    outcome,
    at: finishedAt,
  })
  return attemptChange(state.id, state.loaded.compiled, state.progress, report, decision)
}
