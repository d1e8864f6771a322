/**
 * Run changes that storage refused (a full disk, an I/O error): the run loop
 * keeps the run at its last committed state with the change pending and
 * commits it again after a pause — 100 ms, doubling to 5 s — until storage
 * takes it or the engine stops (then recovery runs the step again on the next
 * start, as after a crash). Nothing is acknowledged meanwhile.
 */
import { WeirError } from '../errors.js'
import type { RunChange, Store } from '../store/store.js'
import type { Clock } from './clock.js'
import type { EngineLogger } from './run-driver.js'

/** The pause before the first retry, and the longest pause. */
export const storageBackoff = { firstMs: 100, maxMs: 5000 } as const

/** True for the error a store throws when storage cannot take a write now (and may later). */
export const isStorageFault = (error: unknown): error is WeirError =>
  error instanceof WeirError && error.code === 'storage_unavailable'

/** Pauses between tries, on the engine's clock; `wakeAll` (on stop) ends every pause at once. */
export class RetryPauses {
  readonly #clock: Clock
  readonly #pending = new Set<() => void>()

  constructor(clock: Clock) {
    this.#clock = clock
  }

  pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      let cancel = () => {}
      const wake = () => {
        cancel()
        this.#pending.delete(wake)
        resolve()
      }
      cancel = this.#clock.at(this.#clock.now() + ms, wake)
      this.#pending.add(wake)
    })
  }

  wakeAll(): void {
    for (const wake of [...this.#pending]) wake()
  }
}

export interface RetryContext {
  readonly store: Store
  readonly pauses: RetryPauses
  readonly stopping: () => boolean
  readonly logger: EngineLogger | undefined
}

/** The retry context of a driver: its store and logger, pauses on its clock, its `stopping` flag. */
export function retryContext(
  driver: { readonly store: Store; readonly logger: EngineLogger | undefined; stopping: boolean },
  clock: Clock,
): RetryContext {
  return {
    store: driver.store,
    pauses: new RetryPauses(clock),
    stopping: () => driver.stopping,
    logger: driver.logger,
  }
}

/**
 * Commits a run's change, trying again after each storage fault until it
 * commits; rethrows any other error, and the storage fault once the engine
 * stops. A fault may come after the database committed (the connection was
 * lost during COMMIT): before each retry, a change whose events are already
 * stored under its epoch counts as committed, and is not written twice.
 */
export async function commitRetrying(
  context: RetryContext,
  change: RunChange,
  flow: string,
): Promise<void> {
  let delay: number = storageBackoff.firstMs
  for (let failures = 0; ; failures++) {
    try {
      if (failures > 0 && (await landed(context.store, change))) return
      await context.store.commit([change])
      if (failures > 0)
        context.logger?.info(
          { run: change.runId, flow, tries: failures + 1 },
          'run change committed: storage is back',
        )
      return
    } catch (error) {
      if (!isStorageFault(error) || context.stopping()) throw error
      if (failures === 0)
        context.logger?.error(
          { run: change.runId, flow, err: error, retryInMs: delay },
          'storage refused a run change; retrying until it takes it',
        )
      await context.pauses.pause(delay)
      if (context.stopping()) throw error
      delay = Math.min(delay * 2, storageBackoff.maxMs)
    }
  }
}

/**
 * Whether a change that met a storage fault was committed all the same: the
 * run is still at its epoch and its last stored event is this change's last
 * one (same number, type and time).
 */
export async function landed(store: Store, change: RunChange): Promise<boolean> {
  const last = change.events.at(-1)
  if (!last) return false
  const stored = await store.runOwner(change.runId)
  if (!stored || (change.epoch !== undefined && stored.epoch !== change.epoch)) return false
  if (stored.eventSeq !== change.progress.eventSeq) return false
  const [event] = (await store.listEvents(change.runId, change.progress.eventSeq - 1, 1)).items
  return event?.seq === change.progress.eventSeq && event.type === last.type && event.at === last.at
}
