/**
 * Waiting for a run to finish: in memory for a run this node drives (answered
 * when it finishes), by reading the store for a run another node drives.
 */
import { type RunRecord, terminalStatuses } from '../store/records.js'
import type { RunDriver } from './run-driver.js'

/** How often a caller waiting for a run another node drives reads the store. */
const storePollMs = 100

/** The run once it has finished, or undefined when it has not within `timeoutMs`. */
export async function waitForRun(
  driver: RunDriver,
  id: string,
  timeoutMs: number,
): Promise<RunRecord | undefined> {
  const active = driver.runs.get(id)
  if (!active) return pollStored(driver, id, driver.clock.now() + timeoutMs)
  return new Promise((resolve) => {
    const waiters = driver.waiters.get(id) ?? new Set()
    const done = (run: RunRecord | undefined) => {
      cancel()
      waiters.delete(done)
      if (waiters.size === 0 && driver.waiters.get(id) === waiters) driver.waiters.delete(id)
      resolve(run)
    }
    const cancel = driver.clock.at(driver.clock.now() + timeoutMs, () => done(undefined))
    waiters.add(done)
    driver.waiters.set(id, waiters)
  })
}

/**
 * Waits for a run this node does not drive (another node owns it) by
 * reading the store every `storePollMs` until it has finished or `deadline`
 * passed; a run that comes to this node meanwhile is waited for in memory.
 */
async function pollStored(
  driver: RunDriver,
  id: string,
  deadline: number,
): Promise<RunRecord | undefined> {
  const clock = driver.clock
  for (;;) {
    const stored = await driver.store.getRun(id)
    if (!stored) return undefined
    if (terminalStatuses.has(stored.status)) return stored
    const remaining = deadline - clock.now()
    if (remaining <= 0 || driver.stopping) return undefined
    if (driver.runs.has(id)) return waitForRun(driver, id, remaining)
    await new Promise<void>((resolve) =>
      clock.at(clock.now() + Math.min(storePollMs, remaining), resolve),
    )
  }
}
