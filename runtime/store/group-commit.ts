/**
 * Group commit: changes that several runs submit close together go into one
 * transaction. When the system is idle a change is written at once; when it is
 * busy (the last group held more than one change), the committer lets the
 * event loop turn a few more times first, so that the runs whose attempts are
 * finishing join the same transaction. Nothing is acknowledged before the
 * transaction holding it has committed. Values are serialized before a change
 * is submitted (run-rows.ts), so a bad value fails its own change; should a
 * group's transaction still fail for another reason than storage (a constraint,
 * a bug), each submission of the group is written again on its own, so that
 * only the one at fault fails. A storage fault fails the whole group: every
 * submission would meet it. An observer, when set (metrics), is told the size
 * and duration of each transaction that committed.
 */

interface Waiting<T, R> {
  readonly items: readonly T[]
  readonly resolve: (results: R[]) => void
  readonly reject: (error: unknown) => void
}

export interface GroupCommitOptions {
  /** Most changes in one transaction. */
  readonly maxItems?: number
  /** Event-loop turns to wait for company when busy. */
  readonly busyTurns?: number
  /** Whether a group that failed with `error` is worth writing again one submission at a time. */
  readonly isolate?: (error: unknown) => boolean
}

/** Told each transaction a committer wrote: how many items it held, and how long it took in seconds. */
export type GroupCommitObserver = (size: number, seconds: number) => void

export class GroupCommitter<T, R = void> {
  readonly #write: (items: T[]) => Promise<R[]>
  readonly #maxItems: number
  readonly #busyTurns: number
  readonly #isolate: (error: unknown) => boolean
  #queue: Waiting<T, R>[] = []
  #queued = 0
  #writing = false
  #scheduled = false
  #lastGroup = 0
  /** Where each committed transaction is reported (metrics); none by default, and then nothing is timed. */
  observer: GroupCommitObserver | undefined

  /** `write` commits the items in one transaction and returns one result per item, in order. */
  constructor(write: (items: T[]) => Promise<R[]>, options: GroupCommitOptions = {}) {
    this.#write = write
    this.#maxItems = options.maxItems ?? 1000
    this.#busyTurns = options.busyTurns ?? 4
    this.#isolate = options.isolate ?? (() => true)
  }

  submit(items: readonly T[]): Promise<R[]> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ items, resolve, reject })
      this.#queued += items.length
      this.#schedule()
    })
  }

  #schedule(): void {
    if (this.#writing || this.#scheduled) return
    this.#scheduled = true
    const turns = this.#lastGroup > 1 ? this.#busyTurns : 0
    let turn = 0
    const tick = () => {
      if (turn++ < turns && this.#queued < this.#maxItems) {
        setImmediate(tick)
        return
      }
      this.#scheduled = false
      void this.#flush()
    }
    setImmediate(tick)
  }

  async #flush(): Promise<void> {
    if (this.#writing || this.#queue.length === 0) return
    this.#writing = true
    const group: Waiting<T, R>[] = []
    let count = 0
    while (
      this.#queue.length > 0 &&
      (count === 0 || count + (this.#queue[0] as Waiting<T, R>).items.length <= this.#maxItems)
    ) {
      const next = this.#queue.shift() as Waiting<T, R>
      group.push(next)
      count += next.items.length
    }
    this.#queued -= count
    this.#lastGroup = group.length
    try {
      const results = await this.#timed(group.flatMap((w) => w.items))
      let offset = 0
      for (const w of group) {
        w.resolve(results.slice(offset, offset + w.items.length))
        offset += w.items.length
      }
    } catch (error) {
      if (group.length > 1 && this.#isolate(error)) await this.#writeAlone(group)
      else for (const w of group) w.reject(error)
    } finally {
      this.#writing = false
      if (this.#queue.length > 0) this.#schedule()
    }
  }

  /** Writes one transaction, reported to the observer once it has committed. */
  #timed(items: T[]): Promise<R[]> {
    const observer = this.observer
    if (!observer) return this.#write(items)
    const started = performance.now()
    return this.#write(items).then((results) => {
      observer(items.length, (performance.now() - started) / 1000)
      return results
    })
  }

  /** Writes each submission of a failed group in its own transaction. */
  async #writeAlone(group: readonly Waiting<T, R>[]): Promise<void> {
    for (const w of group) {
      try {
        w.resolve(await this.#timed([...w.items]))
      } catch (error) {
        w.reject(error)
      }
    }
  }
}
