/**
 * Turns a decision (or an operation) into the change the store commits: the
 * run's next progress, the step run and attempt that finished, and the history
 * events, numbered after the run's last one. Pure: the run loop commits the
 * change, then adopts `change.progress` as the run's state.
 */
import type { CompiledFlow, CompiledStep, JsonValue } from '../../types/index.js'
import {
  type ErrorKind,
  type EventType,
  type RunError,
  type RunStatus,
  type StepRunStatus,
  type StepWait,
  terminalStatuses,
} from '../store/records.js'
import type { NewEvent, RunChange, RunProgress } from '../store/store.js'
import type { Decision } from './decide.js'
import { durationMs } from './durations.js'

export interface AttemptReport {
  readonly step: CompiledStep
  readonly stepSeq: number
  readonly attempt: number
  readonly input: JsonValue | undefined
  readonly outcome:
    | { status: 'succeeded'; output: JsonValue }
    | { status: 'failed'; error: RunError }
  readonly log: string
  readonly startedAt: number
  readonly finishedAt: number
  /** The end of a wait: its step_started event was written when it began; no attempt unless `recordAttempt`. */
  readonly wait?: boolean
  /** A wait that was an attempt all the same (a child run): its attempt row is written. */
  readonly recordAttempt?: boolean
}

function withEvents(progress: RunProgress, events: NewEvent[]): RunProgress {
  return { ...progress, eventSeq: progress.eventSeq + events.length }
}

const stepFailedEvent = (kind: ErrorKind): EventType =>
  kind === 'timeout' ? 'step_timed_out' : 'step_failed'

function stepRunStatus(report: AttemptReport, waiting: boolean): StepRunStatus {
  if (report.outcome.status === 'succeeded') return 'succeeded'
  if (waiting) return 'waiting'
  const kind = report.outcome.error.kind
  return kind === 'timeout' ? 'timed_out' : kind === 'cancelled' ? 'cancelled' : 'failed'
}

function attemptEvents(report: AttemptReport): NewEvent[] {
  const [started, ended] = startAndEnd(report)
  return report.wait ? [ended] : [started, ended]
}

/** The step_started and step_succeeded / failed / timed_out events of an attempt. */
export function startAndEnd(report: AttemptReport): [NewEvent, NewEvent] {
  const { step, attempt, outcome } = report
  const task = step.task ? `${step.task.name}@${step.task.version}` : undefined
  const started: NewEvent = {
    type: 'step_started',
    at: report.startedAt,
    stepId: step.id,
    data: { attempt, ...(task ? { task } : {}) },
  }
  const durationMs = report.finishedAt - report.startedAt
  const ended: NewEvent =
    outcome.status === 'succeeded'
      ? {
          type: 'step_succeeded',
          at: report.finishedAt,
          stepId: step.id,
          data: { attempt, durationMs },
        }
      : {
          type: stepFailedEvent(outcome.error.kind),
          at: report.finishedAt,
          stepId: step.id,
          data: { attempt, kind: outcome.error.kind, message: outcome.error.message, durationMs },
        }
  return [started, ended]
}

/** The change for a finished attempt and what the decision made of it. */
export function attemptChange(
  runId: string,
  flow: CompiledFlow,
  progress: RunProgress,
  report: AttemptReport,
  decision: Decision,
): RunChange {
  const { step } = report
  const targetId = (index: number) => (flow.steps[index] as CompiledStep).id
  const events = attemptEvents(report)
  let next: RunProgress
  switch (decision.kind) {
    case 'advance':
    case 'route': {
      if (
        decision.kind === 'advance' &&
        decision.branch &&
        'next' in step.step &&
        Array.isArray(step.step.next)
      ) {
        events.push({
          type: 'branch_taken',
          at: report.finishedAt,
          stepId: step.id,
          data: { ...decision.branch },
        })
      }
      if (decision.kind === 'route') {
        events.push({
          type: 'error_routed',
          at: report.finishedAt,
          stepId: step.id,
          data: { target: targetId(decision.next) },
        })
      }
      next = {
        ...progress,
        status: 'running',
        currentStep: targetId(decision.next),
        attempt: 1,
        attemptBase: undefined,
        stepSeq: progress.stepSeq + 1,
        stepRuns: progress.stepRuns + 1,
        previousStep: step.id,
        wakeAt: undefined,
        waiting: undefined,
      }
      break
    }
    case 'complete':
      if (decision.branch && 'next' in step.step && Array.isArray(step.step.next)) {
        events.push({
          type: 'branch_taken',
          at: report.finishedAt,
          stepId: step.id,
          data: { ...decision.branch },
        })
      }
      events.push({ type: 'run_completed', at: report.finishedAt, data: {} })
      next = finished(progress, 'completed', report.finishedAt, { output: decision.output })
      break
    case 'retry':
      events.push({
        type: 'retry_scheduled',
        at: report.finishedAt,
        stepId: step.id,
        data: { attempt: decision.attempt, at: decision.at, delayMs: decision.delayMs },
      })
      // The next attempt starts afresh: whatever the step waited for (a callback, a child run) is over.
      next = {
        ...progress,
        status: 'waiting',
        attempt: decision.attempt,
        wakeAt: decision.at,
        waiting: undefined,
      }
      break
    case 'fail':
      events.push({
        type: 'run_failed',
        at: report.finishedAt,
        data: { error: decision.error as unknown as JsonValue },
      })
      next = finished(progress, 'failed', report.finishedAt, { error: decision.error })
      break
    default: {
      const never: never = decision
      throw new Error(`unknown decision ${String(never)}`)
    }
  }
  const status = stepRunStatus(report, decision.kind === 'retry')
  const { stepRun, attempt } = attemptRecords(
    report,
    status,
    decision.kind === 'retry' ? undefined : report.finishedAt,
  )
  const records = report.wait && !report.recordAttempt ? { stepRun } : { stepRun, attempt }
  return { runId, progress: withEvents(next, events), ...records, events }
}

/** The step-run row and attempt row of a finished attempt. */
export function attemptRecords(
  report: AttemptReport,
  status: StepRunStatus,
  stepFinishedAt: number | undefined,
) {
  const { step, outcome } = report
  const failed = outcome.status === 'failed' ? outcome.error : undefined
  const output = outcome.status === 'succeeded' ? outcome.output : undefined
  return {
    stepRun: {
      seq: report.stepSeq,
      stepId: step.id,
      status,
      task: step.task ? { name: step.task.name, version: step.task.version } : undefined,
      input: report.input,
      output,
      error: failed,
      startedAt: report.startedAt,
      finishedAt: stepFinishedAt,
    },
    attempt: {
      stepSeq: report.stepSeq,
      number: report.attempt,
      status: outcome.status,
      input: report.input,
      output,
      error: failed,
      log: report.log,
      startedAt: report.startedAt,
      finishedAt: report.finishedAt,
    },
  }
}

/** The change for an attempt that a terminate (or the run's timeout) interrupted: the run ends with it. */
export function interruptedChange(
  runId: string,
  progress: RunProgress,
  report: AttemptReport,
  status: 'terminated' | 'timed_out',
  error: RunError | undefined,
): RunChange {
  const events = attemptEvents(report)
  events.push({
    type: status === 'timed_out' ? 'run_timed_out' : 'run_terminated',
    at: report.finishedAt,
    data: error ? { error: error as unknown as JsonValue } : {},
  })
  const next = finished(progress, status, report.finishedAt, error ? { error } : {})
  const stepStatus: StepRunStatus = status === 'timed_out' ? 'timed_out' : 'cancelled'
  return {
    runId,
    progress: withEvents(next, events),
    ...attemptRecords(report, stepStatus, report.finishedAt),
    events,
  }
}

/**
 * Progress of a run that has ended: it keeps the step it stopped at, unless it
 * completed; a run that failed records the failure as its output too.
 */
export function finished(
  progress: RunProgress,
  status: RunStatus,
  at: number,
  result: { output?: JsonValue; error?: RunError },
): RunProgress {
  const currentStep = status === 'completed' ? undefined : progress.currentStep
  const failure = result.error ? { output: { error: result.error as unknown as JsonValue } } : {}
  return {
    ...progress,
    status,
    currentStep,
    wakeAt: undefined,
    waiting: undefined,
    finishedAt: at,
    ...failure,
    ...result,
  }
}

/** A change of status by an operation or a timer (cancel, pause, resume, time-out…). */
export function statusChange(
  runId: string,
  progress: RunProgress,
  status: RunStatus,
  event: EventType,
  at: number,
  extra: Partial<RunProgress> = {},
  data: JsonValue = {},
): RunChange {
  const events: NewEvent[] = [{ type: event, at, data }]
  const base: RunProgress = { ...progress, ...extra, status }
  const ending = terminalStatuses.has(status)
  const next = ending ? finished(base, status, at, extra.error ? { error: extra.error } : {}) : base
  // A run that ends while its step waits (a sleep, an event, a callback, a retry timer) ends that step too.
  const wasWaiting = progress.waiting !== undefined || progress.wakeAt !== undefined
  const stepStatus: StepRunStatus = status === 'timed_out' ? 'timed_out' : 'cancelled'
  const endWaitingStep =
    ending && wasWaiting ? { seq: progress.stepSeq, status: stepStatus, at } : undefined
  return {
    runId,
    progress: withEvents(next, events),
    events,
    ...(endWaitingStep ? { endWaitingStep } : {}),
  }
}

/** The change that starts a sleep or an event wait: the step run waits, the run waits for its time or event. */
export function waitStarted(
  runId: string,
  progress: RunProgress,
  step: CompiledStep,
  at: number,
): RunChange {
  const doc = step.step
  let wait: StepWait
  let data: JsonValue
  if ('sleep' in doc) {
    const ms = durationMs(doc.sleep)
    wait = { kind: 'sleep', since: at, until: at + ms }
    data = { sleepMs: ms, until: at + ms }
  } else if ('waitFor' in doc) {
    const deadline = doc.timeoutMs === undefined ? undefined : at + doc.timeoutMs
    wait = { kind: 'event', since: at, name: doc.waitFor, deadline }
    data = { waitFor: doc.waitFor, ...(deadline === undefined ? {} : { deadline }) }
  } else {
    throw new Error(`step "${step.id}" is a task step, not a wait`)
  }
  const events: NewEvent[] = [{ type: 'step_started', at, stepId: step.id, data }]
  const wakeAt = wait.kind === 'sleep' ? wait.until : wait.deadline
  const next: RunProgress = { ...progress, status: 'waiting', waiting: wait, wakeAt }
  return {
    runId,
    progress: withEvents(next, events),
    stepRun: {
      seq: progress.stepSeq,
      stepId: step.id,
      status: 'waiting',
      task: undefined,
      input: undefined,
      output: undefined,
      error: undefined,
      startedAt: at,
      finishedAt: undefined,
    },
    events,
  }
}
