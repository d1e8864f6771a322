/**
 * The control-flow graph of a flow: for each step, where the run goes after it
 * succeeds (edges in order, then falling through to the following step) and
 * where it goes when it fails (`onError`). Also the structural problems of the
 * graph: duplicate or reserved ids, unknown targets, an `else` that is not
 * last, steps no path reaches.
 */
import type { Problem } from '../errors.js'
import type { FlowDocument, Step } from '../generated/flow.js'
import { pointer } from '../pointer.js'

export type Target = number | 'end'

export interface Transition {
  readonly target: Target
  /** The edge's CEL condition, when it has one. */
  readonly condition?: string
  /** The edge's index in `next`; undefined when the run falls through or `next` is a step id. */
  readonly edge?: number
  /** Where the edge is written (`/steps/2/next/0`), or the step itself for falling through. */
  readonly pointer: string
}

export interface GraphStep {
  readonly step: Step
  readonly index: number
  /** Tried in order after the step succeeds; the first whose condition holds is taken. */
  readonly success: readonly Transition[]
  /** Where a failure goes (`onError`); undefined fails the run. */
  readonly error: Transition | undefined
}

export interface FlowGraph {
  readonly steps: readonly GraphStep[]
  readonly indexOf: ReadonlyMap<string, number>
  readonly reachable: readonly boolean[]
  readonly problems: readonly Problem[]
}

export function buildGraph(flow: FlowDocument): FlowGraph {
  const problems: Problem[] = []
  const indexOf = new Map<string, number>()
  for (const [i, step] of flow.steps.entries()) {
    const at = pointer('/steps', i, 'id')
    const first = indexOf.get(step.id)
    if (step.id === 'end') {
      problems.push({
        pointer: at,
        code: 'reserved_step_id',
        message: '"end" is reserved for the end of the run and cannot be a step id',
      })
    } else if (first !== undefined) {
      problems.push({
        pointer: at,
        code: 'duplicate_step_id',
        message: `duplicate step id "${step.id}" (first used at /steps/${first})`,
      })
    } else {
      indexOf.set(step.id, i)
    }
  }
  const resolveTarget = (id: string, at: string): Target | undefined => {
    if (id === 'end') return 'end'
    const index = indexOf.get(id)
    if (index === undefined) {
      const known = [...indexOf.keys()].join(', ')
      problems.push({
        pointer: at,
        code: 'unknown_step',
        message: `unknown step "${id}" (steps: ${known}, or "end")`,
      })
    }
    return index
  }
  const steps = flow.steps.map((step, i): GraphStep => {
    const fallThrough: Target = i + 1 < flow.steps.length ? i + 1 : 'end'
    const here = pointer('/steps', i)
    const success: Transition[] = []
    const next = 'next' in step ? step.next : undefined
    if ('fail' in step) {
      // A fail step never succeeds: nothing follows it but its error route.
    } else if (next === undefined) {
      success.push({ target: fallThrough, pointer: here })
    } else if (typeof next === 'string') {
      const target = resolveTarget(next, pointer(here, 'next'))
      if (target !== undefined) success.push({ target, pointer: pointer(here, 'next') })
    } else {
      let sawElse = false
      for (const [j, edge] of next.entries()) {
        const at = pointer(here, 'next', j)
        if (sawElse) {
          problems.push({
            pointer: at,
            code: 'else_not_last',
            message:
              'this edge follows an "else" edge and can never be taken; "else" must be the last edge',
          })
        }
        if ('else' in edge) {
          sawElse = true
          const target = resolveTarget(edge.else, pointer(at, 'else'))
          if (target !== undefined) success.push({ target, edge: j, pointer: at })
        } else {
          const target = resolveTarget(edge.goto, pointer(at, 'goto'))
          if (target !== undefined)
            success.push({ target, condition: edge.if, edge: j, pointer: at })
        }
      }
      if (!sawElse) success.push({ target: fallThrough, pointer: pointer(here, 'next') })
    }
    let error: Transition | undefined
    if ('onError' in step && step.onError !== undefined) {
      const target = resolveTarget(step.onError, pointer(here, 'onError'))
      if (target !== undefined) error = { target, pointer: pointer(here, 'onError') }
    }
    return { step, index: i, success, error }
  })
  const reachable = findReachable(steps)
  for (const [i, seen] of reachable.entries()) {
    if (seen) continue
    const id = flow.steps[i]?.id
    problems.push({
      pointer: pointer('/steps', i),
      code: 'unreachable_step',
      message: `step "${id}" is unreachable: no path from the first step leads to it`,
    })
  }
  return { steps, indexOf, reachable, problems }
}

function findReachable(steps: readonly GraphStep[]): boolean[] {
  const seen = steps.map(() => false)
  const stack = steps.length > 0 ? [0] : []
  while (stack.length > 0) {
    const i = stack.pop() as number
    if (seen[i]) continue
    seen[i] = true
    const step = steps[i] as GraphStep
    for (const t of [...step.success, ...(step.error ? [step.error] : [])]) {
      if (t.target !== 'end' && !seen[t.target]) stack.push(t.target)
    }
  }
  return seen
}
