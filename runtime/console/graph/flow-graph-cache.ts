/**
 * Layouts kept per flow version: a published version never changes, so it is
 * laid out once and drawn from memory after that. Bounded, least recently used
 * first out, so a catalog of many versions does not grow the process.
 */
import type { FlowDocument } from '../../../types/index.js'
import type { FlowLayout } from './flow-layout.js'
import { layoutFlow } from './layout-flow.js'

/** Options of a `FlowGraphCache`. */
export interface FlowGraphCacheOptions {
  /** Layouts kept at most (default 200). */
  readonly maxEntries?: number
}

/** An LRU of flow layouts keyed by `name@version`. */
export class FlowGraphCache {
  readonly #entries = new Map<string, FlowLayout>()
  readonly #maxEntries: number

  constructor(options: FlowGraphCacheOptions = {}) {
    const max = options.maxEntries ?? 200
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(`maxEntries must be a positive integer, got ${max}`)
    }
    this.#maxEntries = max
  }

  /**
   * The layout of flow `name` at `version`, laid out from `document` the first
   * time the key is asked for (or after it was evicted), the same object after.
   * The key is trusted: `document` must be that version's.
   */
  get(name: string, version: number, document: FlowDocument): FlowLayout {
    const key = `${name}@${version}`
    const cached = this.#entries.get(key)
    if (cached !== undefined) {
      // Re-inserting moves the key to the back: Map keeps insertion order.
      this.#entries.delete(key)
      this.#entries.set(key, cached)
      return cached
    }
    const layout = layoutFlow(document)
    this.#entries.set(key, layout)
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries) break
      this.#entries.delete(oldest)
    }
    return layout
  }

  /** How many layouts are kept. */
  get size(): number {
    return this.#entries.size
  }
}
