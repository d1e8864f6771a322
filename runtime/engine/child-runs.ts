/**
 * Child runs (DESIGN §12): a `flow` step starts a run of its pinned flow as a
 * child of this run and waits for it; its outcome is the child's. The child
 * is created in the same transaction as the change that puts the step to wait,
 * fenced by the parent's epoch, so it is started at most once per step run and
 * attempt, also across crashes and nodes. A child's end wakes its parent (a
 * request recorded with the child's last change, so a crash loses no wake-up);
 * a parent that ends while its child runs stops the child (cancel, or
 * terminate) the same way. Nesting is bounded by the catalog's `maxNesting`.
 */
import type { CompiledStep, JsonValue } from '../../types/index.js'
import type { LoadedFlow } from '../catalog/catalog.js'
import { WeirError } from '../errors.js'
import { sortableId } from '../ids.js'
import { type RunError, type RunRecord, type StepWait, terminalStatuses } from '../store/records.js'
import type { NewEvent, NewRun, RunChange, RunProgress, RunRequestRecord } from '../store/store.js'
import { childTraceparent } from '../tracing/trace-ids.js'
import type { Outcome } from './decide.js'
import type { RunDriver } from './run-driver.js'
import { checkInput, firstProgress } from './run-starts.js'
import { RunState } from './run-state.js'
import { stepInput } from './step-input.js'
import { stepOutcomeChange } from './step-outcome.js'
import { endWaitChange } from './step-waits.js'
import type { AttemptReport } from './transitions.js'

/**
 * A flow step in the run loop: starts its child, or (waiting) ends the wait
 * when the child has finished. False when the child still runs: the run waits
 * to be woken.
 */
export async function flowStep(
  driver: RunDriver,
  state: RunState,
  step: CompiledStep,
): Promise<boolean> {
  const waiting = state.progress.waiting
  if (waiting?.kind === 'child') {
    const child = await driver.store.getRun(waiting.run)
    if (child && !terminalStatuses.has(child.status)) return false
    const outcome = childOutcome(step, state.progress.attempt, waiting.run, child)
    const attempt = { input: child?.input, log: `child run ${waiting.run}` }
    await driver.commit(state, endWaitChange(state, step, outcome, driver.clock.now(), attempt))
    return true
  }
  await startChild(driver, state, step)
  return true
}

/** What the step's outcome is once its child run has finished. */
function childOutcome(
  step: CompiledStep,
  attempt: number,
  id: string,
  child: RunRecord | undefined,
): Outcome {
  if (child?.status === 'completed') return { status: 'succeeded', output: child.output ?? null }
  return childFailure(
    step,
    attempt,
    `child run ${id} of flow ${step.flow?.name}@${step.flow?.version}`,
    id,
    child,
    {},
  )
}

/**
 * A step failed because a child run did not complete: `child_failed`, naming
 * the child (`what`, then its status and its error's message) and, in details,
 * where it sits (`place`: its branch or index), its id, status and error.
 */
export function childFailure(
  step: CompiledStep,
  attempt: number,
  what: string,
  id: string,
  child: RunRecord | undefined,
  place: Readonly<Record<string, JsonValue>>,
): Outcome {
  const status = child?.status ?? 'gone'
  const cause = child?.error ? `: ${child.error.message}` : ''
  const error: RunError = {
    step: step.id,
    task: '',
    kind: 'child_failed',
    message: `${what} ${status}${cause}`,
    details: { ...place, run: id, status, error: (child?.error ?? null) as unknown as JsonValue },
    attempt,
  }
  return { status: 'failed', error }
}

/** Commits the step's failure before any child started (its input, the nesting limit). */
export async function failBeforeStart(
  driver: RunDriver,
  state: RunState,
  step: CompiledStep,
  input: JsonValue | undefined,
  error: Pick<RunError, 'kind' | 'message' | 'details'>,
): Promise<void> {
  const at = driver.clock.now()
  const report: AttemptReport = {
    step,
    stepSeq: state.progress.stepSeq,
    attempt: state.progress.attempt,
    input,
    outcome: {
      status: 'failed',
      error: { step: step.id, task: '', ...error, attempt: state.progress.attempt },
    },
    log: '',
    startedAt: at,
    finishedAt: at,
  }
  await driver.commit(state, stepOutcomeChange(state, report))
}

async function startChild(driver: RunDriver, state: RunState, step: CompiledStep): Promise<void> {
  const flow = step.flow
  if (!flow) throw new Error(`step "${step.id}" is not a flow step`)
  const prepared = stepInput(state, step)
  if ('error' in prepared) return failBeforeStart(driver, state, step, undefined, prepared.error)
  const { input } = prepared
  const tooDeep = nestingFailure(driver, state, `a child run of flow ${flow.name}@${flow.version}`)
  if (tooDeep) return failBeforeStart(driver, state, step, input, tooDeep)
  const loaded = await driver.catalog.loadFlow(flow.name, flow.version)
  try {
    checkInput(loaded, input, driver.catalog.limits.value)
  } catch (error) {
    if (!(error instanceof WeirError)) throw error
    return failBeforeStart(driver, state, step, input, {
      kind: 'input_invalid',
      message: error.message,
      ...(error.problems.length > 0
        ? { details: { problems: error.problems as unknown as JsonValue } }
        : {}),
    })
  }
  const now = driver.clock.now()
  const child = newChild(driver, state, step, loaded, input, now, {})
  await driver.commit(state, {
    ...childWaitStarted(state.id, state.progress, step, child, now),
    children: [child],
  })
  adoptChild(driver, state, child, loaded)
}

/** Where a child sits under its parent's step: nowhere more (a sub-flow), a branch, an item. */
export type ChildPlace = { readonly branch?: string; readonly index?: number }

/** A child run of `state`'s current step (`loaded` is what it runs), owned by this node at epoch 1. */
export function newChild(
  driver: RunDriver,
  state: RunState,
  step: CompiledStep,
  loaded: LoadedFlow,
  input: JsonValue,
  at: number,
  place: ChildPlace,
  inline?: string,
): NewRun {
  const { name, version } = loaded.record
  return {
    id: sortableId(at),
    flow: { name, version },
    process: loaded.record.process,
    input,
    createdAt: at,
    owner: { node: driver.node.id, leaseMs: driver.node.leaseMs },
    progress: firstProgress(loaded, at, false),
    events: [
      {
        type: 'run_started',
        at,
        data: { flow: name, version, parent: state.id, step: step.id, ...place },
      },
    ],
    parent: {
      run: state.id,
      step: step.id,
      ...place,
      seq: state.progress.stepSeq,
      attempt: state.progress.attempt,
      root: state.root,
      depth: state.depth + 1,
    },
    ...(inline === undefined ? {} : { inline }),
    traceparent: childTraceparent(state.id, state.traceparent, state.progress.stepSeq),
  }
}

/** A child just committed joins this node's memory, unless this node took it back meanwhile (a late answer). */
export function adoptChild(
  driver: RunDriver,
  state: RunState,
  child: NewRun,
  loaded: LoadedFlow,
): void {
  const place = child.parent
  const childState = new RunState(
    {
      id: child.id,
      input: child.input,
      createdAt: child.createdAt,
      idempotencyKey: undefined,
      parent: {
        run: state.id,
        step: place?.step ?? '',
        ...(place?.branch === undefined ? {} : { branch: place.branch }),
        ...(place?.index === undefined ? {} : { index: place.index }),
      },
      root: state.root,
      depth: state.depth + 1,
      ...(child.inline === undefined ? {} : { inline: child.inline }),
      traceparent: child.traceparent,
    },
    loaded,
    child.progress,
  )
  childState.epoch = 1
  if (!driver.holds(child.id)) driver.adopt(childState)
}

/** The runs the current step waits for: its child, or its branches' children. */
export function awaitedChildren(state: RunState): string[] {
  const waiting = state.progress.waiting
  if (waiting?.kind === 'child') return [waiting.run]
  if (waiting?.kind === 'branches') return Object.values(waiting.runs)
  if (waiting?.kind === 'items') return Object.values(waiting.running)
  return []
}

/** Notices stopping children of `state` (all its step waits for, or those given). */
export function stopChildren(
  state: RunState,
  kind: 'cancel' | 'terminate',
  at: number,
  runs: readonly string[] = awaitedChildren(state),
): RunRequestRecord[] {
  return runs.map((runId) => ({
    id: sortableId(at),
    runId,
    kind,
    body: { cascade: true, parent: state.id },
    createdAt: at,
    notice: true,
  }))
}

/** Ends a step that waits for child runs with `outcome`, cancelling those of them still `going`, in one commit. */
export async function endChildWait(
  driver: RunDriver,
  state: RunState,
  step: CompiledStep,
  outcome: Outcome,
  attempt: Pick<AttemptReport, 'input' | 'log'>,
  going: readonly string[] = [],
): Promise<void> {
  const now = driver.clock.now()
  const change = endWaitChange(state, step, outcome, now, attempt)
  const requests = stopChildren(state, 'cancel', now, going)
  await driver.commit(state, requests.length > 0 ? { ...change, requests } : change)
}

/** The failure of a step whose children would nest past the engine's bound, if they would. */
export function nestingFailure(
  driver: RunDriver,
  state: RunState,
  what: string,
): Pick<RunError, 'kind' | 'message' | 'details'> | undefined {
  const limit = driver.catalog.maxNesting
  if (state.depth + 1 <= limit) return undefined
  return {
    kind: 'limit_exceeded',
    message: `${what} would nest ${state.depth + 1} levels below its root run, past the limit of ${limit}`,
    details: { code: 'nesting_limit', limit },
  }
}

/** The change that puts a flow step to wait for the child run it starts. */
function childWaitStarted(
  runId: string,
  progress: RunProgress,
  step: CompiledStep,
  child: NewRun,
  at: number,
): RunChange {
  const data = { flow: `${child.flow.name}@${child.flow.version}`, child: child.id }
  const wait: StepWait = { kind: 'child', since: at, run: child.id }
  return childWaitChange(runId, progress, step, wait, { input: child.input, data }, at)
}

/**
 * The change that records a step waiting for child runs: its wait, and when it
 * starts (`started` given), its step run (with the input it was given) and its
 * step_started event (with `data`).
 */
export function childWaitChange(
  runId: string,
  progress: RunProgress,
  step: CompiledStep,
  wait: StepWait,
  started: { readonly input: JsonValue; readonly data: Record<string, JsonValue> } | undefined,
  at: number,
): RunChange {
  const events: NewEvent[] = started
    ? [
        {
          type: 'step_started',
          at,
          stepId: step.id,
          data: { attempt: progress.attempt, ...started.data },
        },
      ]
    : []
  return {
    runId,
    progress: {
      ...progress,
      status: 'waiting',
      waiting: wait,
      wakeAt: undefined,
      eventSeq: progress.eventSeq + events.length,
    },
    ...(started
      ? {
          stepRun: {
            seq: progress.stepSeq,
            stepId: step.id,
            status: 'waiting' as const,
            task: undefined,
            input: started.input,
            output: undefined,
            error: undefined,
            startedAt: at,
            finishedAt: undefined,
          },
        }
      : {}),
    events,
  }
}

/**
 * A change with the requests that link runs: a run that ends wakes its parent;
 * a run that ends while its step waits for a child stops the child (cancel
 * when it was cancelled, else terminate). Recorded in the same transaction.
 */
export function withLinks(state: RunState, change: RunChange, at: number): RunChange {
  if (!terminalStatuses.has(change.progress.status) || terminalStatuses.has(state.status))
    return change
  const requests: RunRequestRecord[] = []
  if (state.parent)
    requests.push({
      id: sortableId(at),
      runId: state.parent.run,
      kind: 'wake',
      body: { child: state.id },
      createdAt: at,
      notice: true,
    })
  // A run stopped by an operation or its timeout while its step waits for a child stops the child
  // (a run that fails or completes while waiting does so because the child ended).
  // (A compensating run is cancelled only by its last compensation's end: that child has ended.)
  const stopped = change.progress.status
  const compensated = stopped === 'cancelled' && state.progress.compensation !== undefined
  if (
    !compensated &&
    (stopped === 'cancelled' || stopped === 'terminated' || stopped === 'timed_out')
  )
    requests.push(...stopChildren(state, stopped === 'cancelled' ? 'cancel' : 'terminate', at))
  if (requests.length === 0) return change
  return { ...change, requests: [...(change.requests ?? []), ...requests] }
}
