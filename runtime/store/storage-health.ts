/**
 * Whether storage takes writes: `unavailable` from a storage fault (a full
 * disk, an I/O error, a read-only or vanished file) until a write succeeds
 * again. `/health` reports it, `/health/ready` answers 503 on it, and the
 * engine keeps retrying the commits that storage refused meanwhile.
 */
import type { WeirError } from '../errors.js'

export type StorageStatus = 'ok' | 'unavailable'

/** What the HTTP layer reads of storage health. */
export interface StorageHealthView {
  readonly status: StorageStatus
  /** The fault that made storage unavailable (a `storage_unavailable` WeirError), while it is. */
  readonly fault: WeirError | undefined
  /**
   * The status after trying a small write when storage is unavailable (at most
   * one try per `probeIntervalMs`): without it, a server that readiness keeps
   * out of traffic would never write again and never become ready.
   */
  check(): Promise<StorageStatus>
}

/** Least time between two probe writes. */
export const probeIntervalMs = 1000

export class StorageHealth implements StorageHealthView {
  readonly #probe: () => Promise<unknown>
  readonly #now: () => number
  #fault: WeirError | undefined
  #probing: Promise<StorageStatus> | undefined
  #lastTry = Number.NEGATIVE_INFINITY

  /** `probe` writes a little (and fails as real writes would); `now` is the clock, in ms. */
  constructor(probe: () => Promise<unknown>, now: () => number = Date.now) {
    this.#probe = probe
    this.#now = now
  }

  get status(): StorageStatus {
    return this.#fault === undefined ? 'ok' : 'unavailable'
  }

  get fault(): WeirError | undefined {
    return this.#fault
  }

  /** A storage fault: writes do not work now. */
  failed(fault: WeirError): void {
    this.#fault = fault
    this.#lastTry = this.#now()
  }

  /** A write committed: storage works. */
  succeeded(): void {
    this.#fault = undefined
  }

  check(): Promise<StorageStatus> {
    if (this.#fault === undefined) return Promise.resolve('ok')
    if (this.#probing) return this.#probing
    if (this.#now() - this.#lastTry < probeIntervalMs) return Promise.resolve('unavailable')
    this.#lastTry = this.#now()
    this.#probing = this.#probe().then(
      () => this.status,
      () => this.status,
    )
    void this.#probing.finally(() => {
      this.#probing = undefined
    })
    return this.#probing
  }
}
