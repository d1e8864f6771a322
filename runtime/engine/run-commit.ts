/**
 * Committing a run's change, and what a failed commit leaves. In the run loop
 * (a step's outcome, a wait starting or ending on its own, a deadline, a
 * queued run starting) a storage fault is waited out: the change is tried
 * again until storage takes it (storage-retry.ts), so the run is neither lost
 * nor stuck. A change that cannot be stored at all (UnstorableValueError)
 * fails its run with that error instead. A change a caller asked for (an
 * operation, an event, a callback) is tried once: the caller is answered with
 * the error (503 `storage_unavailable`), and the run goes on as it was — its
 * timers armed again, nothing acknowledged. A change fenced because another
 * node took the run over (FencedError) lets the run go from this node.
 */
import type { JsonValue } from '../../types/index.js'
import { FencedError, UnstorableValueError } from '../errors.js'
import { type RunError, terminalStatuses } from '../store/records.js'
import type { RunChange } from '../store/store.js'
import { withLinks } from './child-runs.js'
import type { RunDriver } from './run-driver.js'
import type { RunState } from './run-state.js'
import { commitRetrying, isStorageFault, landed } from './storage-retry.js'
import { statusChange } from './transitions.js'

/** Commits `change` and has the driver adopt it; `retry` waits out storage faults (the run loop). */
export async function commitChange(
  driver: RunDriver,
  state: RunState,
  change: RunChange,
  retry: boolean,
): Promise<void> {
  if (!retry) {
    try {
      await driver.store.commit([change])
    } catch (error) {
      if (error instanceof FencedError) letGo(driver, state)
      else if (!isStorageFault(error)) goOnAsBefore(driver, state)
      else {
        const stored = await landed(driver.store, change).catch(() => undefined)
        if (stored) {
          // The answer was lost, not the change.
          driver.committed(state, change)
          return
        }
        if (stored === false) goOnAsBefore(driver, state)
        // Whether it committed is unknown (storage is away): memory cannot say what is
        // stored, so the run leaves it and is taken back from the store (node-leases.ts).
        else letGo(driver, state, 'run let go until storage says whether its last change is stored')
      }
      throw error
    }
    driver.committed(state, change)
    return
  }
  try {
    await commitRetrying(driver.retries, change, state.loaded.record.name)
    driver.committed(state, change)
  } catch (error) {
    if (error instanceof FencedError) letGo(driver, state)
    if (!(error instanceof UnstorableValueError)) throw error
    const at = driver.clock.now()
    // Linked (a parent woken, children stopped) and fenced like any change of the run.
    const linked = withLinks(state, unstorableFailure(state, error, at), at)
    const failed = state.epoch === undefined ? linked : { ...linked, epoch: state.epoch }
    await commitRetrying(driver.retries, failed, state.loaded.record.name)
    driver.committed(state, failed)
  }
}

/** After a refused operation: the run keeps its timers; a run an operation brought back (retry) is let go again. */
function goOnAsBefore(driver: RunDriver, state: RunState): void {
  if (!terminalStatuses.has(state.status)) {
    driver.kick(state)
    return
  }
  if (driver.runs.get(state.id) === state) driver.finish(state)
}

/** The change that fails a run whose next change cannot be stored. */
function unstorableFailure(state: RunState, cause: UnstorableValueError, at: number): RunChange {
  const step = state.currentStep
  const error: RunError = {
    step: step?.id ?? '',
    task: step?.task ? `${step.task.name}@${step.task.version}` : '',
    kind: 'internal',
    message: cause.message,
    attempt: state.progress.attempt,
  }
  const data = { error: error as unknown as JsonValue }
  return statusChange(state.id, state.progress, 'failed', 'run_failed', at, { error }, data)
}

/** Work on a run outside its loop (a deadline passing), as its one writer, its commits retried. */
export function inBackground(driver: RunDriver, state: RunState, work: () => Promise<void>): void {
  state.driving = true
  driver.looping.add(state)
  const done = work()
    .catch((error: Error) => {
      if (error instanceof FencedError) return
      const fields = { run: state.id, flow: state.loaded.record.name, err: error }
      if (driver.logger) driver.logger.error(fields, 'run stopped')
      else console.error(`weir: run ${state.id} stopped: ${error.message}`)
    })
    .finally(() => {
      state.driving = false
      driver.looping.delete(state)
    })
  driver.drivers.add(done)
  void done.finally(() => driver.drivers.delete(done))
}

/**
 * A run another node took over (this node's commit was fenced): it leaves
 * this node's memory — timers, attempt in flight, concurrency slot — and
 * callers waiting for it here are answered as on a stop.
 */
export function letGo(
  driver: RunDriver,
  state: RunState,
  message = 'run taken over by another node',
): void {
  if (driver.runs.get(state.id) !== state) return
  state.cancelTimer?.()
  state.inFlight?.stop()
  driver.runs.delete(state.id)
  driver.slots.remove(state)
  if (state.holdsSlot) {
    state.holdsSlot = false
    driver.slots.release(state.loaded.record.name)
  }
  for (const waiter of driver.waiters.get(state.id) ?? []) waiter(undefined)
  driver.waiters.delete(state.id)
  driver.logger?.info(
    { run: state.id, flow: state.loaded.record.name, node: driver.node.id },
    message,
  )
}
