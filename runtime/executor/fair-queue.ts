/**
 * The attempts waiting for a worker, kept fair between groups (flows): one
 * FIFO queue per group, a count of the workers each group holds, and a cap on
 * that count. The next attempt comes from the group that started an attempt
 * least recently among those with one waiting and under their cap, so a
 * flow with thousands of attempts queued cannot make another flow wait
 * behind them, nor take every worker.
 */

interface Group<T> {
  readonly name: string
  readonly items: T[]
  /** Workers running (or preparing) an attempt of this group. */
  busy: number
  /** When the group last started an attempt (a counter; 0: never). */
  served: number
}

/** The pool's waiting room: kept apart from the workers so its decisions can be tested as data. */
export class FairQueue<T> {
  readonly #cap: number
  /** Every group seen; groups are flows, a bounded set, so they are kept. */
  readonly #groups = new Map<string, Group<T>>()
  /** The groups with an attempt waiting. */
  readonly #ready = new Map<string, Group<T>>()
  #size = 0
  #clock = 0

  /** `cap`: the most workers one group may hold at once. */
  constructor(cap: number) {
    this.#cap = Math.max(1, cap)
  }

  /** Attempts waiting, all groups together. */
  get size(): number {
    return this.#size
  }

  /** Queues an attempt at the back of its group. */
  push(group: string, item: T): void {
    const state = this.#group(group)
    state.items.push(item)
    this.#ready.set(group, state)
    this.#size++
  }

  /** Puts an attempt back at the front of its group (it was taken back from a worker). */
  requeue(group: string, item: T): void {
    const state = this.#group(group)
    state.items.unshift(item)
    this.#ready.set(group, state)
    this.#size++
  }

  /** Removes a waiting attempt (it was aborted); false if it was not waiting. */
  remove(group: string, item: T): boolean {
    const state = this.#groups.get(group)
    const index = state ? state.items.indexOf(item) : -1
    if (!state || index < 0) return false
    state.items.splice(index, 1)
    this.#taken(state)
    return true
  }

  /**
   * Takes the next attempt to start on an idle worker: from the group, among
   * those waiting and under their cap, that started an attempt least recently.
   */
  next(): { readonly group: string; readonly item: T } | undefined {
    let best: Group<T> | undefined
    for (const state of this.#ready.values()) {
      if (state.busy < this.#cap && (!best || state.served < best.served)) best = state
    }
    return best ? { group: best.name, item: this.#shift(best) } : undefined
  }

  /**
   * Takes the next attempt of `group` to queue in a worker behind one of the
   * same group (pipelining), only while no other group has an attempt waiting:
   * then it cannot delay anyone.
   */
  nextOf(group: string): T | undefined {
    const state = this.#ready.get(group)
    if (!state || this.#ready.size > 1) return undefined
    return this.#shift(state)
  }

  /** True when a group other than `group` has an attempt waiting and is under its cap. */
  othersCouldStart(group: string): boolean {
    if (this.#ready.size === 0 || (this.#ready.size === 1 && this.#ready.has(group))) return false
    for (const state of this.#ready.values()) {
      if (state.name !== group && state.busy < this.#cap) return true
    }
    return false
  }

  /** The group now holds one more worker. */
  hold(group: string): void {
    this.#group(group).busy++
  }

  /** The group holds one worker less. */
  release(group: string): void {
    const state = this.#groups.get(group)
    if (state && state.busy > 0) state.busy--
  }

  /** Workers held by `group`. */
  busy(group: string): number {
    return this.#groups.get(group)?.busy ?? 0
  }

  /** Empties the queue, returning what waited (oldest first per group). */
  drain(): T[] {
    const all: T[] = []
    for (const state of this.#ready.values()) all.push(...state.items.splice(0))
    this.#ready.clear()
    this.#size = 0
    return all
  }

  #shift(state: Group<T>): T {
    const item = state.items.shift() as T
    state.served = ++this.#clock
    this.#taken(state)
    return item
  }

  #taken(state: Group<T>): void {
    this.#size--
    if (state.items.length === 0) this.#ready.delete(state.name)
  }

  #group(name: string): Group<T> {
    let state = this.#groups.get(name)
    if (!state) {
      state = { name, items: [], busy: 0, served: 0 }
      this.#groups.set(name, state)
    }
    return state
  }
}
