/**
 * The document a flow version stores: every task and flow reference pinned
 * to `name@version` (those of task and flow steps, for-each calls, parallel
 * branches and compensations), so that its runs call exactly what was checked.
 */
import type { FlowDocument, FlowStep, TaskStep } from '../generated/flow.js'
import type { CompiledStep } from './compiled-flow.js'
import type { ResolvedFlow } from './flow-refs.js'
import type { BranchTarget } from './parallel-step.js'
import { formatTaskRef, type ResolvedTask } from './task-refs.js'

type Call = NonNullable<TaskStep['compensate']>

/** A branch's or a compensation's call with its reference pinned (as it was, unresolved). */
function pinCall(call: Call, target: BranchTarget | undefined): Call {
  if ('task' in call && target?.task) return { ...call, task: formatTaskRef(target.task) }
  if ('flow' in call && target?.flow) return { ...call, flow: formatTaskRef(target.flow) }
  return call
}

/** The step's compensation pinned (the step unchanged without one). */
function withCompensation<S extends TaskStep | FlowStep>(step: S, compiled?: CompiledStep): S {
  if (!step.compensate) return step
  return { ...step, compensate: pinCall(step.compensate, compiled?.compensation?.target) }
}

export function pinReferences(
  flow: FlowDocument,
  tasks: readonly (ResolvedTask | undefined)[],
  flows: readonly (ResolvedFlow | undefined)[],
  compiled: readonly CompiledStep[],
): FlowDocument {
  return {
    ...flow,
    steps: flow.steps.map((step, i) => {
      const task = tasks[i]
      const child = flows[i]
      if ('task' in step && task && !('forEach' in step))
        return withCompensation({ ...step, task: formatTaskRef(task) }, compiled[i])
      if ('flow' in step && child && !('forEach' in step))
        return withCompensation({ ...step, flow: formatTaskRef(child) }, compiled[i])
      const call = compiled[i]?.forEach?.inline.steps[0]
      if ('forEach' in step && call) {
        const ref = call.task ?? call.flow
        const pinned = ref ? formatTaskRef(ref) : undefined
        if (call.task) return { ...step, task: pinned }
        if (call.flow) return { ...step, flow: pinned }
      }
      const branches = compiled[i]?.branches
      if ('parallel' in step && branches) {
        const pinned = Object.fromEntries(
          Object.entries(step.parallel).map(([name, branch]) => [
            name,
            branch ? pinCall(branch, branches.get(name)?.target) : branch,
          ]),
        )
        return { ...step, parallel: pinned }
      }
      return step
    }),
  }
}
