/**
 * This node's side of run ownership (DESIGN §13): every `renewMs` it renews
 * the leases of the runs it owns (first, so that leases are not lost wholesale
 * when the database comes back), then claims runs that no node owns or whose
 * lease expired — new, released by a node that stopped, or left by a node
 * that died — and hands them to the engine to drive. Times of leases are the
 * database's; these timers only say how often to ask. A stopping node
 * releases what it owns, so that the others take it at once.
 */
import { hostname } from 'node:os'
import type { LeaseStore } from '../store/store.js'
import { OwnershipCheck } from './ownership-check.js'
import type { EngineLogger } from './run-driver.js'

export interface NodeSettings {
  /** This node's id: stable across restarts (a restarted node takes its own runs back at once). */
  readonly id: string
  /** How long a lease lasts without renewal (WEIR_LEASE_MS, default 10 s). */
  readonly leaseMs: number
  /** How often leases are renewed and runs claimed (WEIR_LEASE_RENEW_MS, default 2 s). */
  readonly renewMs: number
}

export const defaultLease = { leaseMs: 10_000, renewMs: 2_000 } as const

/** Told of runs this node took over from another node or from none (metrics count them). */
export interface TakeoverObserver {
  /** `count` runs claimed whose owner's lease had expired, or that no node owned. */
  tookOver(count: number): void
}

/** What the lease loop needs of the engine. */
export interface ClaimTarget {
  /** How many more runs the engine can take now. */
  room(): number
  /** How many runs the engine holds in memory, which, and whether it holds one. */
  held(): number
  heldIds(): string[]
  holds(id: string): boolean
  /** Lets a run go from memory (the store says it is not this node's). */
  release(id: string, message: string): void
  /** Drives the claimed runs (they are this node's from now). */
  adoptClaimed(claimed: Awaited<ReturnType<LeaseStore['claimRuns']>>): Promise<void>
  /** Work of every tick after the claims (queued runs try for a slot again). */
  afterClaims(): Promise<void>
}

export class NodeLeases {
  readonly settings: NodeSettings
  readonly #store: LeaseStore
  readonly #logger: EngineLogger | undefined
  #timer: NodeJS.Timeout | undefined
  #ticking: Promise<void> | undefined
  #stopped = false
  readonly #check: OwnershipCheck
  readonly #takeovers: TakeoverObserver | undefined

  constructor(
    store: LeaseStore,
    settings: NodeSettings,
    logger: EngineLogger | undefined,
    takeovers?: TakeoverObserver,
  ) {
    this.#store = store
    this.settings = settings
    this.#logger = logger
    this.#takeovers = takeovers
    this.#check = new OwnershipCheck(store, settings, logger)
  }

  /** Records the node and takes its own runs back (a restart) with every claimable one; returns how many. */
  async start(target: ClaimTarget): Promise<number> {
    await this.#store.registerNode({ id: this.settings.id, host: hostname(), pid: process.pid })
    // Counted as takeovers: what this node takes beside its own runs (asked only when counted).
    const own = this.#takeovers && new Set(await this.#store.ownedRuns(this.settings.id))
    const claimed = await this.#store.claimRuns(
      this.settings.id,
      this.settings.leaseMs,
      Math.max(0, target.room()),
      { own: true },
    )
    if (own) this.#takeovers?.tookOver(claimed.filter((c) => !own.has(c.run.id)).length)
    await target.adoptClaimed(claimed)
    this.#schedule(target)
    return claimed.length
  }

  #schedule(target: ClaimTarget): void {
    if (this.#stopped) return
    this.#timer = setTimeout(() => {
      this.#ticking = this.#tick(target).finally(() => {
        this.#ticking = undefined
        this.#schedule(target)
      })
    }, this.settings.renewMs)
    this.#timer.unref()
  }

  async #tick(target: ClaimTarget): Promise<void> {
    try {
      const renewed = await this.#store.renewLeases(this.settings.id, this.settings.leaseMs)
      if (this.#stopped) return
      await this.#check.run(target, renewed)
      const room = target.room()
      const claimed =
        room > 0 ? await this.#store.claimRuns(this.settings.id, this.settings.leaseMs, room) : []
      if (claimed.length > 0) {
        this.#takeovers?.tookOver(claimed.length)
        this.#logger?.info(
          { node: this.settings.id, runs: claimed.map((c) => c.run.id) },
          `claimed ${claimed.length} run${claimed.length === 1 ? '' : 's'}`,
        )
        await target.adoptClaimed(claimed)
      }
      await target.afterClaims()
    } catch (error) {
      // The database is away, most likely: the next tick tries again (renewals first).
      this.#logger?.error({ node: this.settings.id, err: error }, 'could not renew or claim leases')
    }
  }

  /** Stops renewing and claiming (the leases run out unless released). */
  async halt(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.#ticking
  }

  /** Halts, then lets go of every run the node owns. */
  async release(): Promise<void> {
    await this.halt()
    try {
      await this.#store.releaseRuns(this.settings.id)
    } catch (error) {
      this.#logger?.error(
        { node: this.settings.id, err: error },
        'could not release leases; other nodes take the runs when they expire',
      )
    }
  }
}
