/**
 * The static checker run on publish (and by `POST /v1/flows/check`): the
 * document schema, the graph, task references (pinned), reachability, every
 * expression type-checked against the flow input and task output schemas,
 * `steps.x` only where x has run on every path, each step's input assignable to
 * its task's input. All problems are reported at once. A flow that passes
 * cannot fail at run time on a type mismatch its schemas could reveal.
 */
import { validateFlowSchema } from '../documents/validate-document.js'
import type { Problem } from '../errors.js'
import { compileTemplate } from '../expressions/compile-template.js'
import type { EvaluationLimits } from '../expressions/evaluation-limits.js'
import { FlowEnvironment } from '../expressions/flow-environment.js'
import type { AccessRules, StepPart } from '../expressions/guards.js'
import type { FlowDocument } from '../generated/flow.js'
import type { JsonValue } from '../json.js'
import { measureJson } from '../json-limits.js'
import { pointer } from '../pointer.js'
import { anySchema, type Rooted, rooted } from '../schema/rooted.js'
import {
  type Availability,
  computeAvailability,
  errorBit,
  Facts,
  outputBit,
} from './availability.js'
import {
  checkConditions,
  checkStepInput,
  type Predecessor,
  type StepContext,
} from './check-steps.js'
import { checkTriggers } from './check-triggers.js'
import type { CompiledFlow, CompiledStep } from './compiled-flow.js'
import { buildGraph, type FlowGraph } from './flow-graph.js'
import { flowOutputSchema } from './flow-output.js'
import {
  defaultMaxNesting,
  type FlowResolver,
  type ResolvedFlow,
  resolveFlowRef,
} from './flow-refs.js'
import {
  type BranchTarget,
  checkParallelStep,
  parallelOutput,
  resolveBranches,
} from './parallel-step.js'
import { schemaFailure } from './schema-failure.js'
import { checkFailStep, checkSetStep } from './step-values.js'
import { formatTaskRef, type ResolvedTask, resolveTaskRef, type TaskResolver } from './task-refs.js'

export type FlowCheck =
  | { readonly ok: true; readonly compiled: CompiledFlow; readonly warnings: Problem[] }
  | { readonly ok: false; readonly problems: Problem[]; readonly warnings: Problem[] }

/** Deepest nesting of a flow document (schemas nest two levels per object level). */
const documentDepth = 64

export interface CheckFlowOptions {
  /** Bounds on the compiled flow's evaluations (default: `defaultEvaluationLimits`). */
  readonly limits?: EvaluationLimits
  /**
   * Whether regular expressions that RE2 refuses are problems (default). A
   * flow published before weir used RE2 is compiled with false, so that its
   * runs go on and such a pattern fails the evaluation that uses it.
   */
  readonly checkPatterns?: boolean
  /** Resolves the flows `flow` steps name; without it, each of them is an unknown flow. */
  readonly resolveFlow?: FlowResolver
  /** How many levels of child runs a run may start below it (default 10). */
  readonly maxNesting?: number
}

export function checkFlow(
  document: unknown,
  resolveTask: TaskResolver,
  options: CheckFlowOptions = {},
): FlowCheck {
  const tooDeep = measureJson(document, { maxDepth: documentDepth, maxBytes: Infinity })
  if (!tooDeep.ok) {
    const problem: Problem = {
      pointer: tooDeep.pointer,
      code: 'value_too_deep',
      message: `the document ${tooDeep.message}`,
    }
    return { ok: false, problems: [problem], warnings: [] }
  }
  const validated = validateFlowSchema(document)
  if (!validated.ok) return schemaFailure(document, validated.problems, resolveTask)
  const flow = validated.value
  const graph = buildGraph(flow)
  const errors: Problem[] = [...graph.problems]
  const warnings: Problem[] = []

  const tasks = flow.steps.map((step, i) => {
    if (!('task' in step)) return undefined
    const found = resolveTaskRef(step.task, resolveTask, pointer('/steps', i, 'task'))
    if ('problem' in found) errors.push(found.problem)
    return 'task' in found ? found.task : undefined
  })
  const flows = flow.steps.map((step, i) => {
    if (!('flow' in step)) return undefined
    const found = resolveFlowRef(step.flow, options.resolveFlow, pointer('/steps', i, 'flow'))
    if ('problem' in found) errors.push(found.problem)
    return 'flow' in found ? found.flow : undefined
  })
  const branches = flow.steps.map((step, i) =>
    resolveBranches(step, i, resolveTask, options.resolveFlow, errors),
  )
  const availability = computeAvailability(graph)
  const { fenv, outputs } = typedEnvironment(
    flow,
    graph,
    availability,
    { tasks, flows, branches },
    options,
  )
  const ctx: StepContext = { fenv, errors, warnings }
  const rulesFor = accessRules(fenv, graph)

  const compiledSteps = graph.steps.map((graphStep): CompiledStep => {
    const { step, index } = graphStep
    const task = tasks[index]
    const child = flows[index]
    if ('task' in step && step.timeoutMs === 0) {
      warnings.push({
        pointer: pointer('/steps', index, 'timeoutMs'),
        code: 'timeout_disabled',
        message:
          'timeoutMs 0 disables the timeout: a task that never returns holds its run forever',
      })
    }
    const before = rulesFor(availability.before[index] as Facts)
    const predecessors = predecessorsOf(graph, index, outputs)
    const target = task
      ? { schema: task.input, describe: `input of task ${formatTaskRef(task)}` }
      : child
        ? { schema: child.input, describe: `input of flow ${formatTaskRef(child)}` }
        : undefined
    const input = target ? checkStepInput(ctx, graphStep, target, before, predecessors) : undefined
    const value =
      'set' in step
        ? checkSetStep(ctx, graphStep, before).template
        : checkFailStep(ctx, graphStep, before)
    const targets = branches[index]
    const compiledBranches = targets
      ? checkParallelStep(ctx, graphStep, flow.name, targets, before, predecessors, (doc) => {
          const inline = checkFlow(doc, resolveTask, { ...options, maxNesting: Infinity })
          if (!inline.ok) errors.push(...inline.problems)
          return inline.ok ? inline.compiled : undefined
        })
      : undefined
    const conditions = checkConditions(
      ctx,
      graphStep,
      rulesFor(availability.afterSuccess[index] as Facts),
    )
    return {
      index,
      id: step.id,
      step,
      task,
      flow: child,
      input,
      value,
      branches: compiledBranches,
      edges: graphStep.success.map((t) => ({
        condition: t.edge === undefined ? undefined : conditions.get(t.edge),
        target: t.target,
        edgeIndex: t.edge,
        pointer: t.pointer,
      })),
      onError: graphStep.error?.target,
    }
  })

  const nesting = checkNesting(
    compiledSteps,
    flows,
    options.maxNesting ?? defaultMaxNesting,
    errors,
  )
  const atEnd = rulesFor(availability.atEnd)
  const output = checkOutput(ctx, flow, atEnd)
  const triggers = checkTriggers(ctx, flow, rulesFor(new Facts(0)))
  if (errors.length > 0) return { ok: false, problems: errors, warnings }
  const compiled: CompiledFlow = {
    document: pinReferences(flow, tasks, flows, compiledSteps),
    outputSchema: flowOutputSchema(output, graph, outputs, fenv, atEnd),
    nesting,
    environment: fenv,
    steps: compiledSteps,
    stepIndex: graph.indexOf,
    output,
    triggers,
  }
  return { ok: true, compiled, warnings }
}

/** The rules of step access at a point of the flow: which step results are certainly there. */
function accessRules(fenv: FlowEnvironment, graph: FlowGraph) {
  return (facts: Facts): AccessRules => ({
    messages: fenv.shapes.messages,
    stepAvailable: (id: string, part: StepPart) => {
      const index = graph.indexOf.get(id)
      return (
        index !== undefined && facts.has(part === 'output' ? outputBit(index) : errorBit(index))
      )
    },
  })
}

/** Rounds of typing set steps: each one settles the set steps whose templates read set steps settled before. */
const maxSetRounds = 16

/**
 * The CEL environment of the flow, with each step's output schema: a task's
 * output, a child flow's, an event's payload, a set step's template type. A
 * set step may read another, so set steps are typed again in rounds until
 * their types settle (a chain longer than the rounds leaves the rest typed
 * `dyn`, checked at run time).
 */
interface StepTargets {
  readonly tasks: readonly (ResolvedTask | undefined)[]
  readonly flows: readonly (ResolvedFlow | undefined)[]
  readonly branches: readonly (ReadonlyMap<string, BranchTarget> | undefined)[]
}

function typedEnvironment(
  flow: FlowDocument,
  graph: FlowGraph,
  availability: Availability,
  targets: StepTargets,
  options: CheckFlowOptions,
): { fenv: FlowEnvironment; outputs: (Rooted | undefined)[] } {
  const { tasks, flows, branches } = targets
  let outputs = flow.steps.map((step, i) => {
    const parallel = branches[i]
    return parallel ? parallelOutput(parallel) : outputSchemaOf(step, tasks[i], flows[i])
  })
  const environment = () =>
    new FlowEnvironment(
      flow.input ? rooted(flow.input) : undefined,
      flow.steps.map((step, i) => ({
        id: step.id,
        output: outputs[i],
        typeName: typeNameOf(step, tasks[i], flows[i]),
      })),
      options.limits,
      options.checkPatterns,
    )
  let fenv = environment()
  const sets = graph.steps.filter((s) => 'set' in s.step && graph.reachable[s.index])
  for (let round = 0; round < maxSetRounds && sets.length > 0; round++) {
    const scratch: StepContext = { fenv, errors: [], warnings: [] }
    const rulesFor = accessRules(fenv, graph)
    const next = [...outputs]
    let changed = false
    for (const s of sets) {
      const rules = rulesFor(availability.before[s.index] as Facts)
      const typed = checkSetStep(scratch, s, rules).output
      if (JSON.stringify(typed) === JSON.stringify(outputs[s.index])) continue
      next[s.index] = typed
      changed = true
    }
    if (!changed) break
    outputs = next
    fenv = environment()
  }
  return { fenv, outputs }
}

/**
 * How deep child runs nest below a run of this flow (a parallel branch is a
 * child whose one-step flow may start its own); a problem at each step that
 * would nest too deep.
 */
function checkNesting(
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
  for (const step of steps)
    for (const branch of step.branches?.values() ?? [])
      bound(
        branch.inline.nesting + 1,
        pointer('/steps', step.index, 'parallel', branch.name),
        `branch "${branch.name}" starts child runs ${branch.inline.nesting + 1} levels deep`,
      )
  return nesting
}

function outputSchemaOf(
  step: FlowDocument['steps'][number],
  task: ResolvedTask | undefined,
  child: ResolvedFlow | undefined,
): Rooted | undefined {
  if ('task' in step) return task?.output ? rooted(task.output) : undefined
  if ('flow' in step) return child ? rooted(child.output) : undefined
  if ('waitFor' in step) return step.schema ? rooted(step.schema) : undefined
  // A set step's type comes from its template (typedEnvironment).
  if ('set' in step) return undefined
  return rooted({ type: 'null' })
}

function typeNameOf(
  step: FlowDocument['steps'][number],
  task: ResolvedTask | undefined,
  child: ResolvedFlow | undefined,
): string {
  if (task) return `${formatTaskRef(task)}.output`
  if (child) return `${formatTaskRef(child)}.output`
  if ('waitFor' in step) return `${step.waitFor}.event`
  return `steps.${step.id}.output`
}

function predecessorsOf(
  graph: FlowGraph,
  index: number,
  outputs: (Rooted | undefined)[],
): Predecessor[] {
  const out: Predecessor[] = index === 0 ? [{ kind: 'flow-input' }] : []
  for (const from of graph.steps) {
    if (!graph.reachable[from.index]) continue
    if (from.success.some((t) => t.target === index)) {
      out.push({ kind: 'success', step: from, output: outputs[from.index] ?? rooted(anySchema) })
    }
    if (from.error?.target === index) out.push({ kind: 'error', step: from })
  }
  return out
}

function checkOutput(ctx: StepContext, flow: FlowDocument, rules: AccessRules) {
  if (flow.output === undefined) return undefined
  const compiled = compileTemplate(ctx.fenv, flow.output as JsonValue, '/output', rules)
  ctx.errors.push(...compiled.problems)
  return compiled.template
}

/** The document with every task and flow reference pinned to `name@version`, in branches too. */
function pinReferences(
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
      if ('task' in step && task) return { ...step, task: formatTaskRef(task) }
      if ('flow' in step && child) return { ...step, flow: formatTaskRef(child) }
      const branches = compiled[i]?.branches
      if ('parallel' in step && branches) {
        const pinned = Object.fromEntries(
          Object.entries(step.parallel).map(([name, branch]) => {
            const target = branches.get(name)?.target
            if (!branch || !target) return [name, branch]
            if ('task' in branch && target.task)
              return [name, { ...branch, task: formatTaskRef(target.task) }]
            if ('flow' in branch && target.flow)
              return [name, { ...branch, flow: formatTaskRef(target.flow) }]
            return [name, branch]
          }),
        )
        return { ...step, parallel: pinned }
      }
      return step
    }),
  }
}

export type { Availability }
