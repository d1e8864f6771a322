/**
 * Steps that wait: sleeps, events (`waitFor`) and the callbacks of async
 * steps. A wait starts with a commit (the step run waits, the run waits for
 * its time or its event) and ends like an attempt, through the decision of
 * what follows. Events and callbacks are refused, never kept, when no step
 * waits for them.
 */
import { type CompiledStep, type JsonValue, validateValue } from '../../types/index.js'
import { invalidDocument, valueOverLimits, WeirError } from '../errors.js'
import { type RunError, type RunRecord, terminalStatuses } from '../store/records.js'
import type { RunChange } from '../store/store.js'
import {
  type CallbackBody,
  callbackTimeout,
  heartbeatChange,
  parseCallbackToken,
  tokenMatches,
} from './callbacks.js'
import type { Outcome } from './decide.js'
import type { RunDriver } from './run-driver.js'
import type { RunState } from './run-state.js'
import { stepOutcomeChange } from './step-outcome.js'
import { type AttemptReport, waitStarted } from './transitions.js'

/**
 * What a sleep or waitFor step commits now: the start of its wait, or its end
 * when its time has come (a sleep's end, an event's or a callback's deadline).
 */
export function waitStepChange(state: RunState, step: CompiledStep, now: number): RunChange {
  const waiting = state.progress.waiting
  if (!waiting) return waitStarted(state.id, state.progress, step, now)
  if (waiting.kind === 'sleep')
    return endWaitChange(state, step, { status: 'succeeded', output: null }, now)
  if (waiting.kind === 'callback') {
    const task = step.task ? `${step.task.name}@${step.task.version}` : ''
    const error = callbackTimeout(waiting, now, step.id, task, state.progress.attempt)
    return endWaitChange(state, step, { status: 'failed', error }, now)
  }
  if (waiting.kind === 'child' || waiting.kind === 'branches' || waiting.kind === 'items')
    throw new Error(`step "${step.id}" waits for child runs, not a time`)
  const ms = (waiting.deadline ?? now) - waiting.since
  const error: RunError = {
    step: step.id,
    task: '',
    kind: 'timeout',
    message: `no event "${waiting.name}" arrived within ${ms} ms`,
    attempt: state.progress.attempt,
  }
  return endWaitChange(state, step, { status: 'failed', error }, now)
}

/** The change that ends a wait with its outcome and what follows, as after an attempt. */
export function endWaitChange(
  state: RunState,
  step: CompiledStep,
  outcome: Outcome,
  at: number,
  attempt?: Pick<AttemptReport, 'input' | 'log'>,
): RunChange {
  const { stepSeq, waiting } = state.progress
  const report: AttemptReport = {
    step,
    stepSeq,
    attempt: state.progress.attempt,
    input: attempt?.input,
    outcome,
    log: attempt?.log ?? '',
    startedAt: waiting?.since ?? at,
    finishedAt: at,
    wait: true,
    ...(attempt ? { recordAttempt: true } : {}),
  }
  const change = stepOutcomeChange(state, report)
  // A paused run takes what its step waited for, and stays paused before its next step.
  const { status } = change.progress
  const paused = state.status === 'paused' && !terminalStatuses.has(status)
  return paused ? { ...change, progress: { ...change.progress, status: 'paused' } } : change
}

/**
 * Delivers an event to a run whose current step waits for it: the payload
 * (checked against the step's schema) becomes the step's output and the run
 * moves on. An event no step waits for is refused, not kept.
 */
export async function deliverEvent(
  driver: RunDriver,
  id: string,
  name: string,
  payload: JsonValue,
): Promise<RunRecord> {
  const state = await driver.operate(id)
  const waiting = state.progress.waiting
  const step = state.currentStep
  if (waiting?.kind !== 'event' || waiting.name !== name || !step || state.driving) {
    const now =
      waiting?.kind === 'event'
        ? `its step "${step?.id}" waits for "${waiting.name}"`
        : `it is at step "${step?.id}"`
    throw new WeirError('conflict', `run ${id} is not waiting for event "${name}": ${now}`)
  }
  const tooLarge = valueOverLimits(
    `the payload of event "${name}"`,
    payload,
    driver.catalog.limits.value,
  )
  if (tooLarge) throw tooLarge
  const schema = 'waitFor' in step.step ? step.step.schema : undefined
  const problems = schema ? validateValue(schema, payload) : []
  if (problems.length > 0)
    throw invalidDocument(
      `the payload of event "${name}" does not match step "${step.id}"'s schema`,
      problems,
    )
  await endWaitNow(driver, state, step, { status: 'succeeded', output: payload })
  return state.toRecord()
}

/** Ends a wait from outside the run loop (an event, a callback): its timer is cancelled, the run goes on. */
async function endWaitNow(
  driver: RunDriver,
  state: RunState,
  step: CompiledStep,
  outcome: Outcome,
) {
  state.driving = true
  try {
    state.cancelTimer?.()
    state.cancelTimer = undefined
    await driver.commit(state, endWaitChange(state, step, outcome, driver.clock.now()))
  } finally {
    state.driving = false
  }
  driver.kick(state)
}

/**
 * A callback of an async step: completes it with its output (checked against
 * the task's output schema), fails it, or keeps it alive. A token that is not
 * awaited any more (already used, or its wait ended) is a conflict, never a
 * second completion.
 */
export async function callback(
  driver: RunDriver,
  token: string,
  body: CallbackBody,
): Promise<{ run: RunRecord; step: string }> {
  const named = parseCallbackToken(token)
  if (!named) throw new WeirError('not_found', 'no callback has this token')
  const state = driver.runs.get(named.runId)
  const waiting = state?.progress.waiting
  const step = state?.currentStep
  const awaited =
    state &&
    step &&
    waiting?.kind === 'callback' &&
    state.progress.stepSeq === named.stepSeq &&
    tokenMatches(waiting, token)
  if (!awaited || state.driving)
    return staleCallback(driver, named.runId, named.stepSeq, token, state?.driving ?? false)
  const now = driver.clock.now()
  if (body.status === 'heartbeat') {
    state.cancelTimer?.()
    await driver.commit(state, heartbeatChange(state.id, state.progress, waiting, now))
    driver.kick(state)
    return { run: state.toRecord(), step: step.id }
  }
  let outcome: Outcome
  if (body.status === 'succeeded') {
    const output = body.output ?? null
    const tooLarge = valueOverLimits("the callback's output", output, driver.catalog.limits.value)
    if (tooLarge) throw tooLarge
    const schema = step.task?.output
    const problems = schema ? validateValue(schema, output) : []
    if (problems.length > 0)
      throw invalidDocument(
        `the callback's output does not match task ${step.task?.name}'s output schema`,
        problems,
      )
    outcome = { status: 'succeeded', output }
  } else {
    const task = step.task ? `${step.task.name}@${step.task.version}` : ''
    const { message, details } = body.error
    outcome = {
      status: 'failed',
      error: {
        step: step.id,
        task,
        kind: 'task_error',
        message,
        ...(details === undefined ? {} : { details }),
        attempt: state.progress.attempt,
      },
    }
  }
  await endWaitNow(driver, state, step, outcome)
  return { run: state.toRecord(), step: step.id }
}

/** Why a callback token is not awaited: unknown (404), or its step is no longer waiting for it (409). */
export async function staleCallback(
  driver: RunDriver,
  runId: string,
  stepSeq: number,
  token: string,
  ending: boolean,
): Promise<never> {
  if (ending)
    throw new WeirError(
      'conflict',
      'the wait of this step is ending; its callback is no longer taken',
    )
  const steps = await driver.store.getStepRuns(runId)
  const known = steps.find((s) => s.seq === stepSeq && s.callback?.token === token)
  if (!known) throw new WeirError('not_found', 'no callback has this token')
  throw new WeirError(
    'conflict',
    `the callback of step "${known.stepId}" of run ${runId} is no longer awaited: the step ${known.status}`,
  )
}
