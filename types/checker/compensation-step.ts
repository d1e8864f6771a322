/**
 * Compensations (`compensate` on a task or flow step): the call that undoes
 * a step that succeeded, run as a child run of a one-step flow (the call with
 * its retry and timeout) when the run is about to end failed or is
 * cancelled. Its input is checked against what the call takes, seeing what
 * dominates the step plus the step's own output; omitted, the step's output
 * is passed on.
 */
import type { Problem } from '../errors.js'
import type { CompiledTemplate } from '../expressions/compile-template.js'
import type { AccessRules } from '../expressions/guards.js'
import type { FlowDocument, Step } from '../generated/flow.js'
import type { JsonValue } from '../json.js'
import { pointer } from '../pointer.js'
import type { Rooted } from '../schema/rooted.js'
import { checkInputAt, type StepContext } from './check-steps.js'
import type { CompiledFlow } from './compiled-flow.js'
import type { GraphStep } from './flow-graph.js'
import { type FlowResolver, resolveFlowRef } from './flow-refs.js'
import { type BranchTarget, callDocument, describeInput, inputOf } from './parallel-step.js'
import { resolveTaskRef, type TaskResolver } from './task-refs.js'

export interface CompiledCompensation {
  readonly target: BranchTarget
  /** The input template; undefined: the output of the step it undoes. */
  readonly input: CompiledTemplate | undefined
  /** The one-step flow the compensation's child run runs. */
  readonly inline: CompiledFlow
}

/** The step id of a compensation's one-step flow. */
export const compensationStepId = 'compensate'

/** What a step's compensation calls, resolved and pinned; a problem when its reference does not resolve. */
export function resolveCompensation(
  step: Step,
  index: number,
  resolveTask: TaskResolver,
  resolveFlow: FlowResolver | undefined,
  errors: Problem[],
): BranchTarget | undefined {
  if (!('compensate' in step) || !step.compensate) return undefined
  const call = step.compensate
  const at = pointer('/steps', index, 'compensate')
  const found =
    'task' in call
      ? resolveTaskRef(call.task, resolveTask, pointer(at, 'task'))
      : resolveFlowRef(call.flow, resolveFlow, pointer(at, 'flow'))
  if ('problem' in found) {
    errors.push(found.problem)
    return {}
  }
  return 'task' in found ? { task: found.task } : { flow: found.flow }
}

/**
 * Checks a compensation's input (`rules`: what is known once the step
 * succeeded) and compiles its one-step flow (`compile` is the checker itself).
 */
export function checkCompensation(
  ctx: StepContext,
  graphStep: GraphStep,
  flowName: string,
  target: BranchTarget | undefined,
  rules: AccessRules,
  output: Rooted,
  compile: (document: FlowDocument) => CompiledFlow | undefined,
): CompiledCompensation | undefined {
  const { step, index } = graphStep
  if (!target || !('compensate' in step) || !step.compensate) return undefined
  const input = checkInputAt(
    ctx,
    pointer('/steps', index, 'compensate'),
    step.compensate.input as JsonValue | undefined,
    { schema: inputOf(target), describe: describeInput(target) },
    rules,
    [{ kind: 'success', step: graphStep, output }],
  )
  if (!target.task && !target.flow) return undefined
  const inline = compile(callDocument(flowName, compensationStepId, step.compensate, target))
  return inline ? { target, input, inline } : undefined
}
