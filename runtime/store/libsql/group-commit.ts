/**
 * Group commit: changes that several runs submit while a transaction is being
 * written wait and go together into the next one. Nothing is acknowledged
 * before the transaction holding it has committed; a failed transaction fails
 * every change in it.
 */

interface Waiting<T> {
  readonly items: readonly T[]
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
}

export class GroupCommitter<T> {
  readonly #write: (items: T[]) => Promise<void>
  readonly #maxItems: number
  #queue: Waiting<T>[] = []
  #writing = false
  #scheduled = false

  constructor(write: (items: T[]) => Promise<void>, maxItems = 1000) {
    this.#write = write
    this.#maxItems = maxItems
  }

  submit(items: readonly T[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ items, resolve, reject })
      this.#schedule()
    })
  }

  #schedule(): void {
    if (this.#writing || this.#scheduled) return
    this.#scheduled = true
    setImmediate(() => {
      this.#scheduled = false
      void this.#flush()
    })
  }

  async #flush(): Promise<void> {
    if (this.#writing || this.#queue.length === 0) return
    this.#writing = true
    const group: Waiting<T>[] = []
    let count = 0
    while (
      this.#queue.length > 0 &&
      (count === 0 || count + (this.#queue[0] as Waiting<T>).items.length <= this.#maxItems)
    ) {
      const next = this.#queue.shift() as Waiting<T>
      group.push(next)
      count += next.items.length
    }
    try {
      await this.#write(group.flatMap((w) => w.items))
      for (const w of group) w.resolve()
    } catch (error) {
      for (const w of group) w.reject(error)
    } finally {
      this.#writing = false
      if (this.#queue.length > 0) this.#schedule()
    }
  }
}
