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
import { FlowEnvironment, type StepScope } from '../expressions/flow-environment.js'
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
import { schemaFailure } from './schema-failure.js'
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
  const outputs = flow.steps.map((step, i) => outputSchemaOf(step, tasks[i]))
  const scopes: StepScope[] = flow.steps.map((step, i) => ({
    id: step.id,
    output: outputs[i],
    typeName: typeNameOf(step, tasks[i]),
  }))
  const fenv = new FlowEnvironment(
    flow.input ? rooted(flow.input) : undefined,
    scopes,
    options.limits,
    options.checkPatterns,
  )
  const availability = computeAvailability(graph)
  const ctx: StepContext = { fenv, errors, warnings }
  const rulesFor = (facts: Facts): AccessRules => ({
    messages: fenv.shapes.messages,
    stepAvailable: (id: string, part: StepPart) => {
      const index = graph.indexOf.get(id)
      return (
        index !== undefined && facts.has(part === 'output' ? outputBit(index) : errorBit(index))
      )
    },
  })

  const compiledSteps = graph.steps.map((graphStep): CompiledStep => {
    const { step, index } = graphStep
    const task = tasks[index]
    if ('task' in step && step.timeoutMs === 0) {
      warnings.push({
        pointer: pointer('/steps', index, 'timeoutMs'),
        code: 'timeout_disabled',
        message:
          'timeoutMs 0 disables the timeout: a task that never returns holds its run forever',
      })
    }
    const predecessors = predecessorsOf(graph, index, outputs)
    const input = task
      ? checkStepInput(
          ctx,
          graphStep,
          task,
          rulesFor(availability.before[index] as Facts),
          predecessors,
        )
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
      input,
      edges: graphStep.success.map((t) => ({
        condition: t.edge === undefined ? undefined : conditions.get(t.edge),
        target: t.target,
        edgeIndex: t.edge,
        pointer: t.pointer,
      })),
      onError: graphStep.error?.target,
    }
  })

  const output = checkOutput(ctx, flow, rulesFor(availability.atEnd))
  const triggers = checkTriggers(ctx, flow, rulesFor(new Facts(0)))
  if (errors.length > 0) return { ok: false, problems: errors, warnings }
  const compiled: CompiledFlow = {
    document: pinTasks(flow, tasks),
    environment: fenv,
    steps: compiledSteps,
    stepIndex: graph.indexOf,
    output,
    triggers,
  }
  return { ok: true, compiled, warnings }
}

function outputSchemaOf(
  step: FlowDocument['steps'][number],
  task: ResolvedTask | undefined,
): Rooted | undefined {
  if ('task' in step) return task?.output ? rooted(task.output) : undefined
  if ('waitFor' in step) return step.schema ? rooted(step.schema) : undefined
  return rooted({ type: 'null' })
}

function typeNameOf(step: FlowDocument['steps'][number], task: ResolvedTask | undefined): string {
  if (task) return `${formatTaskRef(task)}.output`
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

function pinTasks(flow: FlowDocument, tasks: (ResolvedTask | undefined)[]): FlowDocument {
  return {
    ...flow,
    steps: flow.steps.map((step, i) => {
      const task = tasks[i]
      return 'task' in step && task ? { ...step, task: formatTaskRef(task) } : step
    }),
  }
}

export type { Availability }
