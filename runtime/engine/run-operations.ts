/**
 * Operations on a run: cancel (after the step under way), terminate (the
 * attempt in flight is killed), pause and resume, and retry of a failed run
 * from its failed step. Each applies at once when the run is between steps,
 * else the run loop applies it at the next point it can.
 */
import { NoSlotError, WeirError } from '../errors.js'
import type { RunRecord } from '../store/records.js'
import type { RunProgress } from '../store/store.js'
import { limitOf } from './concurrency.js'
import type { RunDriver } from './run-driver.js'
import { RunState } from './run-state.js'
import { statusChange } from './transitions.js'

/** Stops the run after its current step (immediately when it is between steps). */
export async function cancel(driver: RunDriver, id: string): Promise<RunRecord> {
  const state = await driver.operate(id)
  // Compensating, the run is already on its way to its end.
  if (state.progress.compensation) return state.toRecord()
  state.requested = 'cancel'
  if (!state.driving) {
    state.cancelTimer?.()
    await driver.applyRequested(state)
  } else state.kickAgain = true
  return state.toRecord()
}

/** Stops the run now: an attempt in flight is killed. */
export async function terminate(driver: RunDriver, id: string): Promise<RunRecord> {
  const state = await driver.operate(id)
  state.requested = 'terminate'
  if (state.inFlight) state.inFlight.stop()
  else if (!state.driving) {
    state.cancelTimer?.()
    await driver.applyRequested(state)
  } else state.kickAgain = true
  return state.toRecord()
}

/** Halts the run before its next step. */
export async function pause(driver: RunDriver, id: string): Promise<RunRecord> {
  const state = await driver.operate(id)
  if (state.status === 'paused') return state.toRecord()
  if (state.status === 'queued')
    throw new WeirError(
      'conflict',
      `run ${id} is queued for a concurrency slot; it can be cancelled, not paused`,
    )
  state.requested = 'pause'
  if (!state.driving) {
    state.cancelTimer?.()
    await driver.applyRequested(state)
  } else state.kickAgain = true
  return state.toRecord()
}

export async function resume(driver: RunDriver, id: string): Promise<RunRecord> {
  const state = await driver.operate(id)
  if (state.requested === 'pause') state.requested = undefined
  if (state.status !== 'paused') return state.toRecord()
  const { wakeAt, waiting } = state.progress
  const status = wakeAt !== undefined || waiting ? 'waiting' : 'running'
  await driver.commit(
    state,
    statusChange(state.id, state.progress, status, 'run_resumed', driver.clock.now()),
  )
  driver.kick(state)
  return state.toRecord()
}

/** Restarts a failed run from the step that failed, keeping the outputs of the steps before it. */
export async function retry(driver: RunDriver, id: string): Promise<RunRecord> {
  if (driver.runs.has(id))
    throw new WeirError(
      'conflict',
      `run ${id} has not failed: it is ${driver.runs.get(id)?.status}`,
    )
  const loadedRun = await driver.store.loadRun(id)
  if (!loadedRun) throw new WeirError('not_found', `run ${id} does not exist`)
  const { run, progress, values } = loadedRun
  if (run.parent)
    throw new WeirError(
      'conflict',
      `run ${id} is a child run of run ${run.parent.run} (step "${run.parent.step}"): retry its parent, whose step starts a new child`,
    )
  if (run.compensation)
    throw new WeirError(
      'conflict',
      `run ${id} ran its compensations (${run.compensation}): what its steps did was undone, so it cannot go on from its failed step; start a new run`,
    )
  if (run.status !== 'failed' && run.status !== 'timed_out')
    throw new WeirError(
      'conflict',
      `run ${id} is ${run.status}; only a failed or timed-out run can be retried`,
    )
  const loaded = await driver.catalog.loadFlow(run.flow.name, run.flow.version)
  const failedStep = run.error?.step || progress.currentStep
  if (!failedStep || !loaded.compiled.stepIndex.has(failedStep))
    throw new WeirError('conflict', `run ${id} has no step to retry from`)
  // The run becomes this node's, fenced by a new epoch (another node retrying it at once cannot also).
  const claimed = await driver.store.claimRun(driver.node.id, id, driver.node.leaseMs)
  if (!claimed || claimed.run.status !== run.status)
    throw new WeirError('conflict', `run ${id} is being retried by another node`)
  const now = driver.clock.now()
  const timeout = loaded.record.document.timeoutMs
  const restarted: RunProgress = {
    ...progress,
    status: 'running',
    currentStep: failedStep,
    // Attempt numbers go on; the step's allowance (maximumAttempts) starts afresh.
    attempt: progress.attempt + 1,
    attemptBase: progress.attempt,
    stepSeq: progress.stepSeq + 1,
    stepRuns: progress.stepRuns + 1,
    wakeAt: undefined,
    deadline: timeout === undefined ? undefined : now + timeout,
    finishedAt: undefined,
    error: undefined,
    output: undefined,
  }
  const state = new RunState(run, loaded, progress, values)
  state.epoch = claimed.epoch
  const limit = limitOf(state)
  let queued = limit !== undefined && !driver.slots.tryAcquire(run.flow.name, limit)
  const change = (asQueued: boolean) =>
    statusChange(
      id,
      progress,
      asQueued ? 'queued' : 'running',
      'run_retried',
      now,
      asQueued ? { ...restarted, status: 'queued', deadline: undefined } : restarted,
      { step: failedStep },
    )
  driver.runs.set(id, state)
  if (limit === undefined || queued) await driver.commit(state, change(queued))
  else {
    // The slot this node counts free is taken in the store too (other nodes' runs count).
    try {
      await driver.commit(state, { ...change(false), slot: { flow: run.flow.name, limit } })
    } catch (error) {
      driver.slots.release(run.flow.name)
      if (!(error instanceof NoSlotError)) throw error
      queued = true
      driver.runs.set(id, state)
      await driver.commit(state, change(true))
    }
  }
  state.holdsSlot = limit !== undefined && !queued
  if (queued) {
    driver.slots.enqueue(state)
    await driver.startQueued(run.flow.name)
  } else {
    driver.scheduleDeadline(state)
    driver.kick(state)
  }
  return state.toRecord()
}
