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
import type { AccessRules } from '../expressions/guards.js'
import type { FlowDocument } from '../generated/flow.js'
import type { JsonValue } from '../json.js'
import { measureJson } from '../json-limits.js'
import { pointer } from '../pointer.js'
import { anySchema, type Rooted, rooted } from '../schema/rooted.js'
import { type Availability, computeAvailability, Facts } from './availability.js'
import {
  checkConditions,
  checkStepInput,
  type Predecessor,
  type StepContext,
} from './check-steps.js'
import { checkTriggers } from './check-triggers.js'
import { checkCompensation, resolveCompensation } from './compensation-step.js'
import type { CompiledFlow, CompiledStep } from './compiled-flow.js'
import { buildGraph, type FlowGraph } from './flow-graph.js'
import { flowOutputSchema } from './flow-output.js'
import { defaultMaxNesting, type FlowResolver, resolveFlowRef } from './flow-refs.js'
import { checkForEachStep, resolveEach } from './for-each-step.js'
import { checkNesting } from './nesting.js'
import { checkParallelStep, resolveBranches } from './parallel-step.js'
import { pinReferences } from './pin-references.js'
import { schemaFailure } from './schema-failure.js'
import { accessRules, typedEnvironment } from './step-environment.js'
import { checkFailStep, checkSetStep } from './step-values.js'
import { formatTaskRef, resolveTaskRef, type TaskResolver } from './task-refs.js'

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

  // The calls of task and flow steps (a forEach step's call is its own: resolveEach).
  const tasks = flow.steps.map((step, i) => {
    if (!('task' in step) || 'forEach' in step || step.task === undefined) return undefined
    const found = resolveTaskRef(step.task, resolveTask, pointer('/steps', i, 'task'))
    if ('problem' in found) errors.push(found.problem)
    return 'task' in found ? found.task : undefined
  })
  const flows = flow.steps.map((step, i) => {
    if (!('flow' in step) || 'forEach' in step || step.flow === undefined) return undefined
    const found = resolveFlowRef(step.flow, options.resolveFlow, pointer('/steps', i, 'flow'))
    if ('problem' in found) errors.push(found.problem)
    return 'flow' in found ? found.flow : undefined
  })
  const branches = flow.steps.map((step, i) =>
    resolveBranches(step, i, resolveTask, options.resolveFlow, errors),
  )
  const eaches = flow.steps.map((step, i) =>
    resolveEach(step, i, resolveTask, options.resolveFlow, errors),
  )
  const compensations = flow.steps.map((step, i) =>
    resolveCompensation(step, i, resolveTask, options.resolveFlow, errors),
  )
  const availability = computeAvailability(graph)
  const { fenv, outputs } = typedEnvironment(
    flow,
    graph,
    availability,
    { tasks, flows, branches, eaches },
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
    const compile = (doc: FlowDocument) => {
      const inline = checkFlow(doc, resolveTask, { ...options, maxNesting: Infinity })
      if (!inline.ok) errors.push(...inline.problems)
      return inline.ok ? inline.compiled : undefined
    }
    const targets = branches[index]
    const compiledBranches = targets
      ? checkParallelStep(ctx, graphStep, flow.name, targets, before, predecessors, compile)
      : undefined
    const each = eaches[index]
    const facts = availability.before[index] as Facts
    const forEach = each
      ? checkForEachStep(
          ctx,
          graphStep,
          flow,
          each,
          (env) => accessRules(env, graph)(facts),
          predecessors,
          compile,
        )
      : undefined
    const afterSuccess = rulesFor(availability.afterSuccess[index] as Facts)
    const conditions = checkConditions(ctx, graphStep, afterSuccess)
    const compensation = checkCompensation(
      ctx,
      graphStep,
      flow.name,
      compensations[index],
      afterSuccess,
      outputs[index] ?? rooted(anySchema),
      compile,
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
      forEach,
      compensation,
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

export type { Availability }
