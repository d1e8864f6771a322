/**
 * The bound on open live streams: each holds a connection and polls the
 * store until it ends, so a process serves a fixed number of them at once
 * and refuses more with `unavailable` (503, to be retried) rather than
 * letting them pile up.
 */
import { WeirError } from '../errors.js'

/** Open streams a process serves at once, unless told otherwise. */
export const defaultMaxStreams = 200

/** A count of open streams against a maximum. */
export class StreamSlots {
  readonly max: number
  #open = 0

  constructor(max: number) {
    this.max = max
  }

  /** Streams open now. */
  get open(): number {
    return this.#open
  }

  /**
   * Takes a slot for a stream about to open, or refuses with `unavailable`
   * when every slot is taken. The function returned gives the slot back
   * (calling it again does nothing).
   */
  take(): () => void {
    if (this.#open >= this.max)
      throw new WeirError(
        'unavailable',
        `this server has ${this.max} live streams open, its limit; try again later`,
      )
    this.#open++
    let released = false
    return () => {
      if (released) return
      released = true
      this.#open--
    }
  }
}

/**
 * The slots of this process, shared by every stream it serves (the API's
 * and the console's), so that the bound holds per process.
 */
export const processStreams = new StreamSlots(defaultMaxStreams)
