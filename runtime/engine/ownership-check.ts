/**
 * Memory as a cache of what the store says this node owns. Runs the node owns
 * in the store but does not hold (a start or a child whose commit's answer was
 * lost, a run let go while storage could not say what it stored) are taken
 * back under a new epoch; runs it holds that the store says it no longer owns
 * (another node took them while this one was paused) are let go. Either only
 * once it was so at two checks in a row: a start in progress is stored before
 * it joins memory. The check runs when the renewal counted more runs than
 * memory holds, and every `fullEvery` ticks.
 */
import type { LeaseStore } from '../store/store.js'
import type { ClaimTarget, NodeSettings } from './node-leases.js'
import type { EngineLogger } from './run-driver.js'

/** Ticks between two full checks (with the default renewal, about half a minute). */
const fullEvery = 15

const runs = (n: number) => `${n} run${n === 1 ? '' : 's'}`

export class OwnershipCheck {
  readonly #store: LeaseStore
  readonly #settings: NodeSettings
  readonly #logger: EngineLogger | undefined
  #unheld = new Set<string>()
  #unowned = new Set<string>()
  #ticks = 0

  constructor(store: LeaseStore, settings: NodeSettings, logger: EngineLogger | undefined) {
    this.#store = store
    this.#settings = settings
    this.#logger = logger
  }

  /** After a renewal that renewed `renewed` runs. */
  async run(target: ClaimTarget, renewed: number): Promise<void> {
    this.#ticks++
    const suspect = this.#unheld.size > 0 || this.#unowned.size > 0
    if (renewed <= target.held() && this.#ticks % fullEvery !== 0 && !suspect) return
    const node = this.#settings.id
    const owned = await this.#store.ownedRuns(node)
    const ownedIds = new Set(owned)
    const unheld = owned.filter((id) => !target.holds(id))
    const unowned = target.heldIds().filter((id) => !ownedIds.has(id))
    const orphans = unheld.filter((id) => this.#unheld.has(id))
    const stale = unowned.filter((id) => this.#unowned.has(id))
    this.#unheld = new Set(unheld.filter((id) => !orphans.includes(id)))
    this.#unowned = new Set(unowned.filter((id) => !stale.includes(id)))
    for (const id of stale)
      target.release(id, 'run let go: the store says another node owns it or it has ended')
    if (stale.length > 0)
      this.#logger?.info({ node, runs: stale }, `let go of ${runs(stale.length)} owned elsewhere`)
    const claimed = []
    for (const id of orphans) {
      if (target.holds(id)) continue
      const run = await this.#store.claimRun(node, id, this.#settings.leaseMs)
      if (run) claimed.push(run)
    }
    if (claimed.length === 0) return
    this.#logger?.info(
      { node, runs: claimed.map((c) => c.run.id) },
      `took back ${runs(claimed.length)} this node owned without driving`,
    )
    await target.adoptClaimed(claimed)
  }
}
