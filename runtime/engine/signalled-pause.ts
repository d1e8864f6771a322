/**
 * A pause between two reads of the store that a signal ends early (a request
 * or an answer was just stored, signals.ts). A signal that comes while no
 * pause is on ends the next one at once, so none is missed between reads.
 */
export class SignalledPause {
  #signalled = false
  #wake: (() => void) | undefined

  signal(): void {
    if (this.#wake) this.#wake()
    else this.#signalled = true
  }

  pause(ms: number): Promise<void> {
    if (this.#signalled) {
      this.#signalled = false
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer)
        this.#wake = undefined
        resolve()
      }
      const timer = setTimeout(wake, ms)
      this.#wake = wake
    })
  }
}
