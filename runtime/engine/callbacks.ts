/**
 * Async steps: the callback token (`<run id>.<step seq>.<secret>`, only its
 * sha256 kept in the run's progress), the change that puts a step to wait for
 * its callback after its component ran, keep-alives, and what a wait that ran
 * out of time says. Pure, like transitions.ts.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { JsonValue, ResolvedTask } from '../../types/index.js'
import type { RunError, StepWait } from '../store/records.js'
import type { NewEvent, RunChange, RunProgress } from '../store/store.js'
import { type AttemptReport, attemptRecords, startAndEnd } from './transitions.js'

/** The fail-safe of a callback wait when the task sets none: one day. */
export const defaultCallbackTimeoutMs = 86_400_000

export type CallbackWait = Extract<StepWait, { kind: 'callback' }>

export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex')

export function newCallbackToken(runId: string, stepSeq: number): string {
  return `${runId}.${stepSeq}.${randomBytes(24).toString('base64url')}`
}

/** The run and step sequence number a token names, or undefined when it is not a token at all. */
export function parseCallbackToken(token: string): { runId: string; stepSeq: number } | undefined {
  const match = /^([0-9A-Z]{26})\.(\d{1,9})\.[A-Za-z0-9_-]{32}$/.exec(token)
  return match ? { runId: match[1] as string, stepSeq: Number(match[2]) } : undefined
}

export function tokenMatches(wait: CallbackWait, token: string): boolean {
  return timingSafeEqual(Buffer.from(wait.tokenHash, 'hex'), Buffer.from(tokenHash(token), 'hex'))
}

const wakeAtOf = (wait: CallbackWait) =>
  Math.min(wait.deadline, wait.heartbeatDeadline ?? wait.deadline)

/**
 * The change after an async step's component returned: its attempt is
 * recorded (its output is the request it sent), and the step waits for the
 * callback, with the token on the step run.
 */
export function callbackWaitStarted(
  runId: string,
  progress: RunProgress,
  report: AttemptReport & { outcome: { status: 'succeeded' } },
  task: ResolvedTask,
  token: string,
): RunChange {
  const at = report.finishedAt
  const heartbeatTimeoutMs = task.callback?.heartbeatTimeoutMs
  const wait: CallbackWait = {
    kind: 'callback',
    since: at,
    tokenHash: tokenHash(token),
    heartbeatTimeoutMs,
    heartbeatDeadline: heartbeatTimeoutMs === undefined ? undefined : at + heartbeatTimeoutMs,
    deadline: at + (task.callback?.timeoutMs ?? defaultCallbackTimeoutMs),
  }
  const { step, attempt } = report
  const [started] = startAndEnd(report)
  const waiting: NewEvent = {
    type: 'step_waiting',
    at,
    stepId: step.id,
    data: {
      attempt,
      durationMs: at - report.startedAt,
      deadline: wait.deadline,
      ...(wait.heartbeatDeadline === undefined
        ? {}
        : { heartbeatDeadline: wait.heartbeatDeadline }),
    },
  }
  const events = [started, waiting]
  const next: RunProgress = {
    ...progress,
    status: 'waiting',
    waiting: wait,
    wakeAt: wakeAtOf(wait),
    eventSeq: progress.eventSeq + events.length,
  }
  // The attempt is done (its output is what it sent); the step run waits, without an output yet.
  const { stepRun, attempt: attemptRow } = attemptRecords(report, 'waiting', undefined)
  return {
    runId,
    progress: next,
    stepRun: { ...stepRun, output: undefined, callback: { token } },
    attempt: attemptRow,
    events,
  }
}

/** A keep-alive: the heartbeat deadline moves on (never past the fail-safe). */
export function heartbeatChange(
  runId: string,
  progress: RunProgress,
  wait: CallbackWait,
  at: number,
): RunChange {
  const renewed: CallbackWait =
    wait.heartbeatTimeoutMs === undefined
      ? wait
      : { ...wait, heartbeatDeadline: at + wait.heartbeatTimeoutMs }
  return {
    runId,
    progress: { ...progress, waiting: renewed, wakeAt: wakeAtOf(renewed) },
    events: [],
  }
}

/** The failure of a callback wait whose time ran out: the keep-alives stopped, or the fail-safe expired. */
export function callbackTimeout(
  wait: CallbackWait,
  at: number,
  step: string,
  task: string,
  attempt: number,
): RunError {
  const heartbeatMissed =
    wait.heartbeatDeadline !== undefined &&
    wait.heartbeatDeadline <= at &&
    wait.heartbeatDeadline < wait.deadline
  const message = heartbeatMissed
    ? `no keep-alive arrived within ${wait.heartbeatTimeoutMs} ms`
    : `no callback arrived within ${wait.deadline - wait.since} ms`
  return { step, task, kind: 'timeout', message, attempt }
}

export type CallbackBody =
  | { readonly status: 'succeeded'; readonly output?: JsonValue }
  | {
      readonly status: 'failed'
      readonly error: { readonly message: string; readonly details?: JsonValue }
    }
  | { readonly status: 'heartbeat' }
