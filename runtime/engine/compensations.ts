/**
 * Compensation (DESIGN §12, the saga pattern). When a run is about to end
 * failed with an error nothing routes, or cancelled, and steps that
 * succeeded have a `compensate`, the change that would end it instead begins
 * its compensations: the succeeded step runs to undo, most recent first, are
 * stored with the run (`progress.compensation`), which goes on running. Each
 * compensation is a child run of the step's one-step compensation flow (its
 * call with its own retry and timeout), started in the commit that records
 * its step run, like a flow step's child. One that fails is recorded and the
 * others still run. After the last, the run ends with its original outcome
 * and error, and says whether every compensation completed. Terminate skips
 * what is left; a cancel while compensating changes nothing; the run's
 * deadline no longer applies; compensations do not count against the step
 * budget.
 */
import { type CompiledStep, evaluateTemplate, type JsonValue } from '../../types/index.js'
import { type Compensation, type StepRunStatus, terminalStatuses } from '../store/records.js'
import type { NewEvent, RunChange, RunProgress } from '../store/store.js'
import { adoptChild, childFailure, newChild, stopChildren } from './child-runs.js'
import type { Outcome } from './decide.js'
import { templateFailure } from './evaluation-failure.js'
import type { RunDriver } from './run-driver.js'
import type { RunState } from './run-state.js'
import { finished } from './transitions.js'

const compensable = new WeakMap<object, boolean>()

/** Whether any step of the run's flow has a compensation (computed once per compiled flow). */
function hasCompensations(state: RunState): boolean {
  const flow = state.loaded.compiled
  let known = compensable.get(flow)
  if (known === undefined) {
    known = flow.steps.some((step) => step.compensation !== undefined)
    compensable.set(flow, known)
  }
  return known
}

/**
 * The change about to commit, adjusted for compensation: a change ending the
 * run failed or cancelled begins its compensations when succeeded steps have
 * some; a terminate while compensating ends them as failed; else unchanged.
 */
export function compensating(
  driver: RunDriver,
  state: RunState,
  change: RunChange,
): RunChange | Promise<RunChange> {
  const { status, compensation } = change.progress
  if (!terminalStatuses.has(status) || terminalStatuses.has(state.status)) return change
  if (compensation?.status === 'running')
    return { ...change, progress: { ...change.progress, compensation: settled(compensation) } }
  if ((status !== 'failed' && status !== 'cancelled') || compensation) return change
  if (!hasCompensations(state)) return change
  return toUndo(driver, state, change).then((pending) =>
    pending.length === 0 ? change : begun(state, change, status, pending, driver.clock.now()),
  )
}

/** Compensations the run will not run any more (a terminate): the compensation failed. */
const settled = (c: Compensation): Compensation => ({ ...c, status: 'failed', pending: [] })

/** The succeeded step runs with a compensation, most recent first (the change's own included). */
async function toUndo(
  driver: RunDriver,
  state: RunState,
  change: RunChange,
): Promise<Compensation['pending']> {
  const { steps, stepIndex } = state.loaded.compiled
  const undoes = (stepId: string) => {
    const index = stepIndex.get(stepId)
    return index !== undefined && steps[index]?.compensation !== undefined
  }
  const index = await driver.store.stepRunIndex(state.id)
  const own = change.stepRun ? [change.stepRun] : []
  const runs = [...index.filter((s) => s.seq !== change.stepRun?.seq), ...own]
  return runs
    .filter((s) => s.status === 'succeeded' && s.compensates === undefined && undoes(s.stepId))
    .map((s) => ({ seq: s.seq, step: s.stepId }))
    .reverse()
}

/** The change that would have ended the run, ending its step but beginning its compensations instead. */
function begun(
  state: RunState,
  change: RunChange,
  outcome: 'failed' | 'cancelled',
  pending: Compensation['pending'],
  at: number,
): RunChange {
  const ending = change.events.at(-1)
  const kept = change.events.slice(0, -1)
  const error = change.progress.error
  const events: NewEvent[] = [
    ...kept,
    {
      type: 'compensation_started',
      at: ending?.at ?? at,
      data: {
        outcome,
        steps: pending.map((p) => ({ step: p.step, seq: p.seq })),
        ...(error ? { error: error as unknown as JsonValue } : {}),
      },
    },
  ]
  const { progress } = change
  const next: RunProgress = {
    ...progress,
    status: 'running',
    attempt: 1,
    attemptBase: undefined,
    stepSeq: progress.stepSeq + 1,
    wakeAt: undefined,
    waiting: undefined,
    deadline: undefined,
    output: undefined,
    error: undefined,
    finishedAt: undefined,
    eventSeq: progress.eventSeq - change.events.length + events.length,
    compensation: { status: 'running', outcome, ...(error ? { error } : {}), pending, failed: 0 },
  }
  // A cancel stops the children its step waits for, as the end it replaces would have.
  const requests =
    outcome === 'cancelled' ? stopChildren(state, 'cancel', ending?.at ?? at) : undefined
  return {
    ...change,
    progress: next,
    events,
    ...(requests && requests.length > 0
      ? { requests: [...(change.requests ?? []), ...requests] }
      : {}),
  }
}

/** One step of a compensating run: the next compensation starts, or the one it waits for has ended. */
export async function compensationStep(
  driver: RunDriver,
  state: RunState,
  compensation: Compensation,
): Promise<boolean> {
  const [undo] = compensation.pending
  const step = undo && stepOf(state, undo.step)
  if (!undo || !step?.compensation) throw new Error(`run ${state.id} has nothing to compensate`)
  const waiting = state.progress.waiting
  if (waiting?.kind === 'child') {
    const child = await driver.store.getRun(waiting.run)
    if (child && !terminalStatuses.has(child.status)) return false
    const outcome: Outcome =
      child?.status === 'completed'
        ? { status: 'succeeded', output: child.output ?? null }
        : childFailure(
            step,
            1,
            `the compensation of step "${step.id}" (child run ${waiting.run})`,
            waiting.run,
            child,
            { compensates: undo.seq },
          )
    const report = { input: child?.input, outcome, since: waiting.since, child: waiting.run }
    await driver.commit(state, ended(state, step, undo.seq, report, driver.clock.now()))
    return true
  }
  const now = driver.clock.now()
  const input = await compensationInput(driver, state, step, undo.seq)
  if ('error' in input) {
    const outcome: Outcome = {
      status: 'failed',
      error: { step: step.id, task: '', ...input.error, attempt: 1 },
    }
    const report = { input: undefined, outcome, since: now, child: undefined }
    await driver.commit(state, ended(state, step, undo.seq, report, now))
    return true
  }
  const loaded = { ...state.loaded, compiled: step.compensation.inline }
  const child = newChild(driver, state, step, loaded, input.input, now, {}, `${step.id}:compensate`)
  await driver.commit(state, {
    ...started(state, step, undo.seq, child.id, input.input, now),
    children: [child],
  })
  adoptChild(driver, state, child, loaded)
  return true
}

const stepOf = (state: RunState, id: string): CompiledStep | undefined => {
  const index = state.loaded.compiled.stepIndex.get(id)
  return index === undefined ? undefined : state.loaded.compiled.steps[index]
}

/** What the call that undoes `step` is called, for events and step runs. */
function callOf(step: CompiledStep): Record<string, string> {
  const target = step.compensation?.target
  if (target?.task) return { task: `${target.task.name}@${target.task.version}` }
  if (target?.flow) return { flow: `${target.flow.name}@${target.flow.version}` }
  return {}
}

/** The compensation's input: its template over the run's values, the step's own output as it was then. */
async function compensationInput(
  driver: RunDriver,
  state: RunState,
  step: CompiledStep,
  seq: number,
): Promise<{ input: JsonValue } | { error: ReturnType<typeof templateFailure> }> {
  const [undone] = (await driver.store.stepRunsPage(state.id, seq - 1, 1)).items
  const output = undone?.output ?? null
  const template = step.compensation?.input
  if (!template) return { input: output }
  state.scope.setStep(step.id, { output })
  try {
    return { input: evaluateTemplate(template, state.scope) ?? null }
  } catch (error) {
    return { error: templateFailure(error, 'input_invalid', `the compensation of "${step.id}": `) }
  }
}

/** The step run of a compensation that starts: it waits for its child run. */
function started(
  state: RunState,
  step: CompiledStep,
  seq: number,
  child: string,
  input: JsonValue,
  at: number,
): RunChange {
  const { progress } = state
  const task = step.compensation?.target.task
  const events: NewEvent[] = [
    {
      type: 'step_started',
      at,
      stepId: step.id,
      data: { attempt: 1, compensates: seq, ...callOf(step), child },
    },
  ]
  return {
    runId: state.id,
    progress: {
      ...progress,
      status: 'waiting',
      waiting: { kind: 'child', since: at, run: child },
      eventSeq: progress.eventSeq + events.length,
    },
    stepRun: {
      seq: progress.stepSeq,
      stepId: step.id,
      status: 'waiting',
      task: task ? { name: task.name, version: task.version } : undefined,
      input,
      output: undefined,
      error: undefined,
      startedAt: at,
      finishedAt: undefined,
      compensates: seq,
    },
    events,
  }
}

/** A compensation that ended: its step run and attempt, then the next one, or the run's end after the last. */
function ended(
  state: RunState,
  step: CompiledStep,
  seq: number,
  report: {
    readonly input: JsonValue | undefined
    readonly outcome: Outcome
    readonly since: number
    readonly child: string | undefined
  },
  at: number,
): RunChange {
  const { progress } = state
  const compensation = progress.compensation as Compensation
  const { outcome } = report
  const error = outcome.status === 'failed' ? outcome.error : undefined
  const output = outcome.status === 'succeeded' ? outcome.output : undefined
  const status: StepRunStatus = error ? 'failed' : 'succeeded'
  const durationMs = at - report.since
  const events: NewEvent[] = [
    error
      ? {
          type: 'step_failed',
          at,
          stepId: step.id,
          data: {
            attempt: 1,
            compensates: seq,
            kind: error.kind,
            message: error.message,
            durationMs,
          },
        }
      : {
          type: 'step_succeeded',
          at,
          stepId: step.id,
          data: { attempt: 1, compensates: seq, durationMs },
        },
  ]
  const next: Compensation = {
    ...compensation,
    pending: compensation.pending.slice(1),
    failed: compensation.failed + (error ? 1 : 0),
  }
  let after: RunProgress
  if (next.pending.length > 0) {
    after = {
      ...progress,
      status: state.status === 'paused' ? 'paused' : 'running',
      waiting: undefined,
      stepSeq: progress.stepSeq + 1,
      compensation: next,
    }
  } else {
    const done: Compensation = { ...next, status: next.failed > 0 ? 'failed' : 'completed' }
    const runError = compensation.error
    events.push({
      type: compensation.outcome === 'failed' ? 'run_failed' : 'run_cancelled',
      at,
      data: {
        ...(runError ? { error: runError as unknown as JsonValue } : {}),
        compensation: done.status,
      },
    })
    after = {
      ...finished(progress, compensation.outcome, at, runError ? { error: runError } : {}),
      compensation: done,
    }
  }
  const task = step.compensation?.target.task
  const log = report.child ? `child run ${report.child}` : ''
  return {
    runId: state.id,
    progress: { ...after, eventSeq: progress.eventSeq + events.length },
    stepRun: {
      seq: progress.stepSeq,
      stepId: step.id,
      status,
      task: task ? { name: task.name, version: task.version } : undefined,
      input: report.input,
      output,
      error,
      startedAt: report.since,
      finishedAt: at,
      compensates: seq,
    },
    attempt: {
      stepSeq: progress.stepSeq,
      number: 1,
      status: outcome.status,
      input: report.input,
      output,
      error,
      log,
      startedAt: report.since,
      finishedAt: at,
    },
    events,
  }
}
