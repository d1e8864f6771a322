/**
 * The environment a flow's expressions are checked in: each step's output
 * schema (a task's or child flow's output, an event's payload, a parallel
 * step's object of branch outputs, a set step's template type) and the rules
 * of which step results are certainly there at each point.
 */
import { FlowEnvironment } from '../expressions/flow-environment.js'
import type { AccessRules, StepPart } from '../expressions/guards.js'
import type { FlowDocument } from '../generated/flow.js'
import { type Rooted, rooted } from '../schema/rooted.js'
import { type Availability, errorBit, type Facts, outputBit } from './availability.js'
import type { CheckFlowOptions } from './check-flow.js'
import type { StepContext } from './check-steps.js'
import type { FlowGraph } from './flow-graph.js'
import type { ResolvedFlow } from './flow-refs.js'
import { forEachOutput } from './for-each-step.js'
import { type BranchTarget, parallelOutput } from './parallel-step.js'
import { checkSetStep } from './step-values.js'
import { formatTaskRef, type ResolvedTask } from './task-refs.js'

/** The rules of step access at a point of the flow: which step results are certainly there. */
export function accessRules(fenv: FlowEnvironment, graph: FlowGraph) {
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
export interface StepTargets {
  readonly tasks: readonly (ResolvedTask | undefined)[]
  readonly flows: readonly (ResolvedFlow | undefined)[]
  readonly branches: readonly (ReadonlyMap<string, BranchTarget> | undefined)[]
  readonly eaches: readonly (BranchTarget | undefined)[]
}

export function typedEnvironment(
  flow: FlowDocument,
  graph: FlowGraph,
  availability: Availability,
  targets: StepTargets,
  options: CheckFlowOptions,
): { fenv: FlowEnvironment; outputs: (Rooted | undefined)[] } {
  const { tasks, flows, branches, eaches } = targets
  let outputs = flow.steps.map((step, i) => {
    const parallel = branches[i]
    const each = eaches[i]
    if (parallel) return parallelOutput(parallel)
    if (each) return forEachOutput(step, each)
    return outputSchemaOf(step, tasks[i], flows[i])
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
