/**
 * What a failed group write stands for, for the change that asked: another
 * node's epoch on one of its runs (FencedError), the flow's concurrency
 * slots taken (NoSlotError), or the storage fault itself.
 */
import { FencedError, NoSlotError, WeirError } from '../../errors.js'
import type { RunChange, SlotGuard } from '../store.js'
import * as leases from './lease-queries.js'
import type { SqlClient } from './sql-client.js'

export const isStorageFault = (error: unknown): boolean =>
  error instanceof WeirError && error.code === 'storage_unavailable'

/**
 * The NoSlotError a failed write that took a slot stands for: its guard
 * found the flow's slots taken. (A slot may have freed since, so the count
 * is not read again: the engine queues the run and tries again.)
 */
export function noSlotError(slot: SlotGuard, error: unknown): NoSlotError | undefined {
  return isStorageFault(error) ? undefined : new NoSlotError(slot.flow, slot.limit)
}

/** The FencedError a failed commit stands for: a change whose run has another epoch now. */
export async function fencedError(
  client: SqlClient,
  changes: readonly RunChange[],
  error: unknown,
): Promise<FencedError | undefined> {
  const fenced = changes.filter((c) => c.epoch !== undefined)
  if (fenced.length === 0 || isStorageFault(error)) return undefined
  const epochs = await leases.epochsOf(
    client,
    fenced.map((c) => c.runId),
  )
  for (const c of fenced) {
    const found = epochs.get(c.runId)
    if (found !== c.epoch) return new FencedError(c.runId, c.epoch as number, found)
  }
  return undefined
}
