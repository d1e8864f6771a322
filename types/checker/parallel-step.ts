/**
 * Parallel steps: each named branch calls a task or a flow, its input checked
 * against what that call takes, and runs as a child run of a one-step flow
 * (the branch's call with its retry and timeout), compiled here once. The
 * step's output is the object of the branches' outputs.
 */
import type { Problem } from '../errors.js'
import type { CompiledTemplate } from '../expressions/compile-template.js'
import type { AccessRules } from '../expressions/guards.js'
import type { FlowDocument, ParallelStep, Step } from '../generated/flow.js'
import type { ValueSchema } from '../generated/value-schema.js'
import type { JsonValue } from '../json.js'
import { pointer } from '../pointer.js'
import { type Rooted, rooted } from '../schema/rooted.js'
import { checkInputAt, type Predecessor, type StepContext } from './check-steps.js'
import type { CompiledFlow } from './compiled-flow.js'
import type { GraphStep } from './flow-graph.js'
import { type FlowResolver, type ResolvedFlow, resolveFlowRef } from './flow-refs.js'
import { formatTaskRef, type ResolvedTask, resolveTaskRef, type TaskResolver } from './task-refs.js'

/** What a branch calls, resolved and pinned (undefined when its reference did not resolve). */
export interface BranchTarget {
  readonly task?: ResolvedTask
  readonly flow?: ResolvedFlow
}

export interface CompiledBranch {
  readonly name: string
  readonly target: BranchTarget
  /** The input template; undefined: the output of the step that ran before. */
  readonly input: CompiledTemplate | undefined
  /** The one-step flow the branch's child run runs. */
  readonly inline: CompiledFlow
}

type Branch = NonNullable<ParallelStep['parallel'][string]>

const branchesOf = (step: ParallelStep): [string, Branch][] =>
  Object.entries(step.parallel).flatMap(([name, branch]) => (branch ? [[name, branch]] : []))

/** The targets of a parallel step's branches; a problem for each reference that does not resolve. */
export function resolveBranches(
  step: Step,
  index: number,
  resolveTask: TaskResolver,
  resolveFlow: FlowResolver | undefined,
  errors: Problem[],
): Map<string, BranchTarget> | undefined {
  if (!('parallel' in step)) return undefined
  const targets = new Map<string, BranchTarget>()
  for (const [name, branch] of branchesOf(step)) {
    const at = pointer('/steps', index, 'parallel', name)
    const found =
      'task' in branch
        ? resolveTaskRef(branch.task, resolveTask, pointer(at, 'task'))
        : resolveFlowRef(branch.flow, resolveFlow, pointer(at, 'flow'))
    if ('problem' in found) errors.push(found.problem)
    targets.set(
      name,
      'task' in found ? { task: found.task } : 'flow' in found ? { flow: found.flow } : {},
    )
  }
  return targets
}

export const inputOf = (target: BranchTarget): ValueSchema | undefined =>
  target.task?.input ?? target.flow?.input

export const outputOf = (target: BranchTarget): ValueSchema =>
  target.task?.output ?? target.flow?.output ?? {}

/** `steps.<id>.output` of a parallel step: one property per branch, its call's output. */
export function parallelOutput(targets: ReadonlyMap<string, BranchTarget>): Rooted {
  const properties: Record<string, ValueSchema> = {}
  for (const [name, target] of targets) properties[name] = outputOf(target)
  return rooted({
    type: 'object',
    properties,
    required: [...targets.keys()],
    additionalProperties: false,
  })
}

export const describeInput = (target: BranchTarget): string =>
  target.task
    ? `input of task ${formatTaskRef(target.task)}`
    : target.flow
      ? `input of flow ${formatTaskRef(target.flow)}`
      : 'input'

/** A call as a branch or a for-each step makes it: a task or a flow, its retry and timeout. */
interface Call {
  readonly task?: string
  readonly flow?: string
  readonly retry?: Branch['retry']
  readonly timeoutMs?: number
}

/** The one-step flow a branch's or an item's child runs: the call, its input the child's input. */
export function callDocument(
  flowName: string,
  name: string,
  call: Call,
  target: BranchTarget,
): FlowDocument {
  const ref =
    call.task !== undefined
      ? {
          task: target.task ? formatTaskRef(target.task) : call.task,
          ...(call.timeoutMs === undefined ? {} : { timeoutMs: call.timeoutMs }),
        }
      : { flow: target.flow ? formatTaskRef(target.flow) : (call.flow ?? '') }
  const input = inputOf(target)
  return {
    name: flowName,
    ...(input ? { input } : {}),
    steps: [{ id: name, ...ref, input: '${input}', ...(call.retry ? { retry: call.retry } : {}) }],
    output: `\${steps.${name}.output}`,
  }
}

/** Checks each branch's input and compiles its one-step flow (`compile` is the checker itself). */
export function checkParallelStep(
  ctx: StepContext,
  graphStep: GraphStep,
  flowName: string,
  targets: ReadonlyMap<string, BranchTarget>,
  rules: AccessRules,
  predecessors: readonly Predecessor[],
  compile: (document: FlowDocument) => CompiledFlow | undefined,
): Map<string, CompiledBranch> {
  const { step, index } = graphStep
  const out = new Map<string, CompiledBranch>()
  if (!('parallel' in step)) return out
  for (const [name, branch] of branchesOf(step)) {
    const target = targets.get(name) ?? {}
    const at = pointer('/steps', index, 'parallel', name)
    const schema = inputOf(target)
    const input = checkInputAt(
      ctx,
      at,
      branch.input as JsonValue | undefined,
      { schema, describe: describeInput(target) },
      rules,
      predecessors,
    )
    if (!target.task && !target.flow) continue
    const inline = compile(callDocument(flowName, name, branch, target))
    if (inline) out.set(name, { name, target, input, inline })
  }
  return out
}
