/**
 * One step of a run in the run loop: a task's attempt executed (its input
 * evaluated first) and its outcome committed with what follows — or, for a
 * sleep, a waitFor or an async step's callback, the change that starts or
 * ends its wait. A terminate requested meanwhile ends the run with the
 * attempt recorded.
 */
import type { JsonValue } from '../../types/index.js'
import type { AttemptResult } from '../executor/executor.js'
import { executeAttempt } from './attempt-execution.js'
import { callbackWaitStarted, newCallbackToken } from './callbacks.js'
import { flowStep } from './child-runs.js'
import { compensationStep } from './compensations.js'
import type { Outcome } from './decide.js'
import { forEachStep } from './for-each-runs.js'
import { parallelStep } from './parallel-runs.js'
import type { RunDriver } from './run-driver.js'
import type { RunState } from './run-state.js'
import { stepInput } from './step-input.js'
import { stepOutcomeChange } from './step-outcome.js'
import { waitStepChange } from './step-waits.js'
import { terminatedChange } from './terminated-change.js'
import type { AttemptReport } from './transitions.js'
import { computesItself, valueStepOutcome } from './value-steps.js'

/** False when the step waits for something that has not happened yet (a child run still running). */
export async function runStep(driver: RunDriver, state: RunState): Promise<boolean> {
  const compensation = state.progress.compensation
  if (compensation?.status === 'running') return compensationStep(driver, state, compensation)
  const step = state.currentStep
  const index = state.stepIndex
  if (!step || index === undefined) throw new Error(`run ${state.id} has no current step`)
  // `run.attempt` in templates is the attempt about to run (a retried run's too).
  const { attempt, stepSeq } = state.progress
  state.scope.setRun({
    id: state.id,
    flow: state.loaded.record.name,
    version: state.loaded.record.version,
    attempt,
  })
  if (step.flow) return flowStep(driver, state, step)
  if (step.branches) return parallelStep(driver, state, step, step.branches)
  if (step.forEach) return forEachStep(driver, state, step, step.forEach)
  if (computesItself(step)) {
    const at = driver.clock.now()
    const report: AttemptReport = {
      step,
      stepSeq: state.progress.stepSeq,
      attempt: state.progress.attempt,
      input: undefined,
      outcome: valueStepOutcome(state, step),
      log: '',
      startedAt: at,
      finishedAt: at,
    }
    await driver.commit(state, stepOutcomeChange(state, report))
    return true
  }
  if (!step.task || state.progress.waiting) {
    await driver.commit(state, waitStepChange(state, step, driver.clock.now()))
    return true
  }
  const startedAt = driver.clock.now()
  const prepared = stepInput(state, step)
  let input: JsonValue | undefined
  let result: AttemptResult
  if ('error' in prepared) {
    result = {
      status: 'failed',
      error: prepared.error,
      log: '',
      durationMs: 0,
    }
  } else {
    input = prepared.input
    result = await executeAttempt(driver, state, step, input)
    if (driver.abandoned) return true
  }
  const finishedAt = driver.clock.now()
  const outcome: Outcome =
    result.status === 'succeeded'
      ? { status: 'succeeded', output: result.output }
      : {
          status: 'failed',
          error: {
            step: step.id,
            task: step.task ? `${step.task.name}@${step.task.version}` : '',
            kind: result.error.kind,
            message: result.error.message,
            ...(result.error.details === undefined ? {} : { details: result.error.details }),
            attempt,
          },
        }
  const report: AttemptReport = {
    step,
    stepSeq,
    attempt,
    input,
    outcome,
    log: result.log,
    startedAt,
    finishedAt,
  }
  if (state.requested === 'terminate') {
    state.requested = undefined
    await driver.commit(state, terminatedChange(state, report))
    return true
  }
  if (outcome.status === 'succeeded' && step.task?.mode === 'async') {
    const token = newCallbackToken(state.id, stepSeq)
    const succeeded = { ...report, outcome }
    await driver.commit(
      state,
      callbackWaitStarted(state.id, state.progress, succeeded, step.task, token),
    )
    return true
  }
  await driver.commit(state, stepOutcomeChange(state, report))
  return true
}
