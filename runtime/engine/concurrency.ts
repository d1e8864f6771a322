/**
 * Concurrency limits: the slots each limited flow's runs hold (counted by flow
 * name, across versions) and the queue of runs waiting for one, oldest first.
 * A slot is taken synchronously, so concurrent starts can never overbook.
 */
import type { RunState } from './run-state.js'

export const limitOf = (state: Pick<RunState, 'loaded'>): number | undefined =>
  state.loaded.record.document.concurrency?.limit

export class ConcurrencySlots {
  readonly #held = new Map<string, number>()
  readonly #queues = new Map<string, RunState[]>()

  /** Takes a slot of `flow` if one of `limit` is free. */
  tryAcquire(flow: string, limit: number): boolean {
    const held = this.#held.get(flow) ?? 0
    if (held >= limit) return false
    this.#held.set(flow, held + 1)
    return true
  }

  release(flow: string): void {
    const held = this.#held.get(flow) ?? 0
    if (held <= 1) this.#held.delete(flow)
    else this.#held.set(flow, held - 1)
  }

  /** Queues a run, in creation order (recovery may enqueue out of order). */
  enqueue(state: RunState): void {
    const flow = state.loaded.record.name
    const queue = this.#queues.get(flow) ?? []
    // Runs arrive almost always in order: walk back from the end past any newer run.
    const newer = (other: RunState) =>
      other.createdAt > state.createdAt ||
      (other.createdAt === state.createdAt && other.id > state.id)
    let at = queue.length
    while (at > 0 && newer(queue[at - 1] as RunState)) at--
    queue.splice(at, 0, state)
    this.#queues.set(flow, queue)
  }

  remove(state: RunState): void {
    const queue = this.#queues.get(state.loaded.record.name)
    const index = queue?.indexOf(state) ?? -1
    if (queue && index >= 0) queue.splice(index, 1)
  }

  /** The oldest queued run of `flow` when a slot is free for it (the slot is then its own). */
  next(flow: string): RunState | undefined {
    const queue = this.#queues.get(flow)
    const head = queue?.[0]
    if (!queue || !head) return undefined
    if (!this.tryAcquire(flow, limitOf(head) ?? Number.POSITIVE_INFINITY)) return undefined
    queue.shift()
    if (queue.length === 0) this.#queues.delete(flow)
    return head
  }

  /** Flows with runs waiting for a slot. */
  get queuedFlows(): string[] {
    return [...this.#queues.keys()]
  }
}
