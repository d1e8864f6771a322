/**
 * What stops an attempt: terminate, cancel and the run's deadline call
 * `stop()`, and the executor, which listens, leaves a queued attempt unstarted
 * or terminates the worker running it. A plain object in place of an
 * AbortController, which costs about 10 µs to make and listen to on every
 * attempt of every step.
 */
export class AttemptStop {
  #stopped = false
  #listener: (() => void) | undefined

  get stopped(): boolean {
    return this.#stopped
  }

  /** Calls `listener` once, when the attempt is stopped (the executor's one listener). */
  listen(listener: () => void): void {
    this.#listener = listener
  }

  stop(): void {
    if (this.#stopped) return
    this.#stopped = true
    const listener = this.#listener
    this.#listener = undefined
    listener?.()
  }
}
