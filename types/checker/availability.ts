/**
 * Which step results are certainly present at each point of a flow: a forward
 * "must" dataflow over the flow graph. After step x succeeds, `steps.x.output`
 * is present and `steps.x.error` is not (its latest run succeeded); after it
 * fails into its `onError` target, the reverse. Where paths meet, only what is
 * present on every path remains. This is dominance, made exact for loops and
 * error routes.
 */
import type { FlowGraph, Target } from './flow-graph.js'

/** A set of facts: bit 2i = steps[i].output present, bit 2i+1 = steps[i].error present. */
export class Facts {
  readonly words: Uint32Array
  constructor(size: number, full = false) {
    this.words = new Uint32Array(Math.ceil(size / 32))
    if (full) this.words.fill(0xffffffff)
  }
  has(bit: number): boolean {
    return ((this.words[bit >>> 5] as number) & (1 << (bit & 31))) !== 0
  }
  with(add: number, remove: number): Facts {
    const out = this.copy()
    out.words[add >>> 5] = (out.words[add >>> 5] as number) | (1 << (add & 31))
    out.words[remove >>> 5] = (out.words[remove >>> 5] as number) & ~(1 << (remove & 31))
    return out
  }
  copy(): Facts {
    const out = new Facts(0)
    return Object.assign(out, { words: this.words.slice() })
  }
  /** Intersects in place; returns true when something changed. */
  intersect(other: Facts): boolean {
    let changed = false
    for (let i = 0; i < this.words.length; i++) {
      const next = (this.words[i] as number) & (other.words[i] as number)
      if (next !== this.words[i]) {
        this.words[i] = next
        changed = true
      }
    }
    return changed
  }
}

export interface Availability {
  /** Facts on entry to each step (before its input is evaluated). */
  readonly before: readonly Facts[]
  /** Facts after each step succeeded (where its edge conditions are evaluated). */
  readonly afterSuccess: readonly Facts[]
  /** Facts where the run ends (for the flow's output template). */
  readonly atEnd: Facts
}

export const outputBit = (step: number) => 2 * step
export const errorBit = (step: number) => 2 * step + 1

export function computeAvailability(graph: FlowGraph): Availability {
  const n = graph.steps.length
  const size = 2 * n
  const before = graph.steps.map((_, i) => new Facts(size, i !== 0))
  const atEnd = new Facts(size, true)
  const afterSuccess = (i: number) => (before[i] as Facts).with(outputBit(i), errorBit(i))
  const afterError = (i: number) => (before[i] as Facts).with(errorBit(i), outputBit(i))
  const flowInto = (target: Target, facts: Facts, work: number[]) => {
    if (target === 'end') {
      atEnd.intersect(facts)
    } else if ((before[target] as Facts).intersect(facts)) {
      work.push(target)
    }
  }
  const work = n > 0 ? [0] : []
  const queued = new Set(work)
  while (work.length > 0) {
    const i = work.shift() as number
    queued.delete(i)
    const step = graph.steps[i]
    if (!step) continue
    const pending: number[] = []
    const success = afterSuccess(i)
    for (const t of step.success) flowInto(t.target, success, pending)
    if (step.error) flowInto(step.error.target, afterError(i), pending)
    for (const p of pending) {
      if (!queued.has(p)) {
        queued.add(p)
        work.push(p)
      }
    }
  }
  return { before, afterSuccess: graph.steps.map((_, i) => afterSuccess(i)), atEnd }
}
