/**
 * How deep child runs nest below a run of a flow: a flow step's child flow
 * nests its own levels below it; a parallel branch, a for-each item and a
 * compensation are children whose one-step flow may start their own.
 */
import type { Problem } from '../errors.js'
import { pointer } from '../pointer.js'
import type { CompiledStep } from './compiled-flow.js'
import type { ResolvedFlow } from './flow-refs.js'
import { formatTaskRef } from './task-refs.js'

/** The flow's nesting; a problem at each step that would nest past `maxNesting`. */
export function checkNesting(
  steps: readonly CompiledStep[],
  flows: readonly (ResolvedFlow | undefined)[],
  maxNesting: number,
  errors: Problem[],
): number {
  let nesting = 0
  const bound = (levels: number, at: string, what: string) => {
    nesting = Math.max(nesting, levels)
    if (levels > maxNesting)
      errors.push({
        pointer: at,
        code: 'nesting_too_deep',
        message: `${what}, so runs of this flow would nest ${levels} levels deep, past the limit of ${maxNesting}`,
      })
  }
  for (const [i, child] of flows.entries()) {
    if (child)
      bound(
        child.nesting + 1,
        pointer('/steps', i, 'flow'),
        `flow ${formatTaskRef(child)} starts child runs ${child.nesting} levels deep`,
      )
  }
  for (const step of steps) {
    if (step.forEach)
      bound(
        step.forEach.inline.nesting + 1,
        pointer('/steps', step.index),
        `its items run as child runs ${step.forEach.inline.nesting + 1} levels deep`,
      )
    for (const branch of step.branches?.values() ?? [])
      bound(
        branch.inline.nesting + 1,
        pointer('/steps', step.index, 'parallel', branch.name),
        `branch "${branch.name}" starts child runs ${branch.inline.nesting + 1} levels deep`,
      )
    if (step.compensation)
      bound(
        step.compensation.inline.nesting + 1,
        pointer('/steps', step.index, 'compensate'),
        `its compensation starts child runs ${step.compensation.inline.nesting + 1} levels deep`,
      )
  }
  return nesting
}
