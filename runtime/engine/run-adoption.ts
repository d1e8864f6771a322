/**
 * Runs this node claimed in the store (its own after a restart, unowned ones,
 * expired leases) joining its memory: each loaded at its last committed step
 * and fenced by the epoch of its claim; a queued run waits for a slot, a run
 * that was going holds its slot again and is driven on.
 */
import type { ClaimedRun } from '../store/store.js'
import { limitOf } from './concurrency.js'
import type { RunDriver } from './run-driver.js'
import { RunState } from './run-state.js'

export async function adoptClaimed(
  driver: RunDriver,
  claimed: readonly ClaimedRun[],
): Promise<void> {
  for (const { run, progress, values, epoch } of claimed) {
    if (driver.holds(run.id)) continue
    const loaded = await driver.catalog.loadRunFlow(run)
    const state = new RunState(run, loaded, progress, values)
    state.epoch = epoch
    if (state.status === 'queued') {
      driver.enqueue(state)
      continue
    }
    // A child run holds no slot of its flow's limit.
    if (limitOf(state) !== undefined && !state.parent) {
      // A run that was going holds its slot again, even if the limit was lowered meanwhile.
      driver.slots.tryAcquire(loaded.record.name, Number.POSITIVE_INFINITY)
      state.holdsSlot = true
    }
    driver.adopt(state)
  }
  await driver.startAllQueued()
}
