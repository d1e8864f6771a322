/**
 * What a for-each step keeps across its wake-ups beyond its wait: the items
 * an earlier attempt already completed (a retried run re-runs only the items
 * that failed), and the size of the outputs gathered so far (the step fails
 * `limit_exceeded` as soon as they pass the stored-value limit, not after
 * the last item).
 */
import type { CompiledStep } from '../../types/index.js'
import type { RunRecord } from '../store/records.js'
import type { RunDriver } from './run-driver.js'
import type { RunState } from './run-state.js'

/** Completed items of earlier attempts of the step run, by index (found again after a restart). */
const reusedByRun = new WeakMap<RunState, { key: string; items: Map<number, RunRecord> }>()

/**
 * The items that earlier step runs of this step completed, when the run was
 * retried at it: the step runs before it that failed at the same step, one
 * after another (each retry follows the failure it retries), newest first.
 */
export async function reusedItems(
  driver: RunDriver,
  state: RunState,
  step: CompiledStep,
): Promise<Map<number, RunRecord>> {
  const { stepSeq, attempt, attemptBase } = state.progress
  if (attemptBase === undefined) return new Map()
  const key = `${stepSeq}/${attempt}`
  const known = reusedByRun.get(state)
  if (known?.key === key) return known.items
  const bySeq = new Map((await driver.store.getStepRuns(state.id)).map((s) => [s.seq, s]))
  const items = new Map<number, RunRecord>()
  for (let seq = stepSeq - 1; ; seq--) {
    const earlier = bySeq.get(seq)
    if (earlier?.stepId !== step.id || earlier.status !== 'failed') break
    if (earlier.compensates !== undefined) break
    for (const tried of earlier.attempts) {
      for (const child of await driver.store.childRuns(state.id, seq, tried.number)) {
        const index = child.parent?.index
        if (index !== undefined && child.status === 'completed' && !items.has(index))
          items.set(index, child)
      }
    }
  }
  reusedByRun.set(state, { key, items })
  return items
}

/** The bytes a value takes in the step's aggregated output (its JSON, and a separating comma). */
export const outputBytes = (value: unknown): number =>
  Buffer.byteLength(JSON.stringify(value ?? null)) + 1
