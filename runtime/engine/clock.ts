/**
 * Time for the engine: what time it is, and waking up at a time. The system
 * clock uses timers; tests use a manual clock they advance.
 */

export interface Clock {
  now(): number
  /** Calls `fn` at `at` (epoch ms) or as soon as possible after; returns a cancel function. */
  at(at: number, fn: () => void): () => void
}

export const systemClock: Clock = {
  now: () => Date.now(),
  at(at, fn) {
    const timer = setTimeout(fn, Math.max(0, at - Date.now()))
    timer.unref?.()
    return () => clearTimeout(timer)
  },
}

/** A clock that moves only when told to: `advance(ms)` fires what became due, in order. */
export class ManualClock implements Clock {
  #now: number
  #timers: { at: number; fn: () => void; id: number }[] = []
  #nextId = 0

  constructor(start = 1_700_000_000_000) {
    this.#now = start
  }

  now(): number {
    return this.#now
  }

  at(at: number, fn: () => void): () => void {
    const id = this.#nextId++
    this.#timers.push({ at, fn, id })
    return () => {
      this.#timers = this.#timers.filter((t) => t.id !== id)
    }
  }

  /** Moves time forward, firing every timer that falls due, earliest first. */
  advance(ms: number): void {
    const target = this.#now + ms
    for (;;) {
      const due = this.#timers
        .filter((t) => t.at <= target)
        .sort((a, b) => a.at - b.at || a.id - b.id)[0]
      if (!due) break
      this.#timers = this.#timers.filter((t) => t.id !== due.id)
      this.#now = Math.max(this.#now, due.at)
      due.fn()
    }
    this.#now = target
  }

  get pending(): number {
    return this.#timers.length
  }
}
