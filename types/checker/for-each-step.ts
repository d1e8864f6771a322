/**
 * For-each steps: `forEach` is a `"${expr}"` template whose expression is a
 * list; the step calls its task or flow once per element, each call a child
 * run of a one-step flow (the call with its retry and timeout), its input
 * typed with `item` (the element) and `index` in scope. The step's output is
 * the array of the calls' outputs, or with `continueOnError` of
 * `{ ok: true, output } | { ok: false, error }`.
 */
import type { Problem } from '../errors.js'
import { type CompiledTemplate, compileTemplate } from '../expressions/compile-template.js'
import type { FlowEnvironment } from '../expressions/flow-environment.js'
import type { AccessRules } from '../expressions/guards.js'
import { stepErrorSchema } from '../expressions/scope-schemas.js'
import { templateSchema } from '../expressions/template-schema.js'
import type { FlowDocument, Step } from '../generated/flow.js'
import type { ValueSchema } from '../generated/value-schema.js'
import type { JsonValue } from '../json.js'
import { pointer } from '../pointer.js'
import { maxJsonBytes } from '../schema/max-size.js'
import { anySchema, type Rooted, resolve, rooted } from '../schema/rooted.js'
import { checkInputAt, type Predecessor, type StepContext } from './check-steps.js'
import type { CompiledFlow } from './compiled-flow.js'
import type { GraphStep } from './flow-graph.js'
import { standalone } from './flow-output.js'
import { type FlowResolver, resolveFlowRef } from './flow-refs.js'
import {
  type BranchTarget,
  callDocument,
  describeInput,
  inputOf,
  outputOf,
} from './parallel-step.js'
import { formatTaskRef, resolveTaskRef, type TaskResolver } from './task-refs.js'

export interface CompiledForEach {
  /** The list, one expression. */
  readonly list: CompiledTemplate
  /** The environment of the item input: the flow's, with `item` and `index`. */
  readonly itemEnvironment: FlowEnvironment
  /** The item input; undefined: the element itself. */
  readonly input: CompiledTemplate | undefined
  /** The one-step flow each item's child run runs. */
  readonly inline: CompiledFlow
  readonly concurrency: number
  readonly continueOnError: boolean
}

export const defaultConcurrency = 10
export const defaultMaxItems = 10_000

type ForEachStep = Extract<Step, { forEach: string }>

/** The task or flow a for-each step calls, resolved; a problem when it names none, both, or one that does not resolve. */
export function resolveEach(
  step: Step,
  index: number,
  resolveTask: TaskResolver,
  resolveFlow: FlowResolver | undefined,
  errors: Problem[],
): BranchTarget | undefined {
  if (!('forEach' in step)) return undefined
  const at = pointer('/steps', index)
  if ((step.task === undefined) === (step.flow === undefined)) {
    errors.push({
      pointer: at,
      code: 'invalid_document',
      message: 'a forEach step calls a task or a flow: give exactly one of "task" and "flow"',
    })
    return {}
  }
  const found =
    step.task !== undefined
      ? resolveTaskRef(step.task, resolveTask, pointer(at, 'task'))
      : resolveFlowRef(step.flow ?? '', resolveFlow, pointer(at, 'flow'))
  if ('problem' in found) errors.push(found.problem)
  return 'task' in found ? { task: found.task } : 'flow' in found ? { flow: found.flow } : {}
}

/** `steps.<id>.output` of a for-each step. */
export function forEachOutput(step: Step, target: BranchTarget): Rooted {
  const output = outputOf(target)
  const continueOnError = 'forEach' in step && step.continueOnError === true
  const items: ValueSchema = continueOnError
    ? {
        anyOf: [
          {
            type: 'object',
            required: ['ok', 'output'],
            properties: { ok: { const: true }, output },
            additionalProperties: false,
          },
          {
            type: 'object',
            required: ['ok', 'error'],
            properties: { ok: { const: false }, error: stepErrorSchema },
            additionalProperties: false,
          },
        ],
      }
    : output
  return rooted({ type: 'array', items })
}

/** The list's element schema, or a problem: the template must be one expression, of a list. */
function listElements(
  ctx: StepContext,
  step: ForEachStep,
  at: string,
  rules: AccessRules,
): { list: CompiledTemplate; element: Rooted; maxItems: number | undefined } | undefined {
  const source = step.forEach
  if (!/^\$\{[\s\S]*\}$/.test(source) || source.startsWith('$${')) {
    ctx.errors.push({
      pointer: at,
      code: 'not_a_list',
      message: `forEach is a "\${…}" template of a list: write "\${${source}}"`,
    })
    return undefined
  }
  const compiled = compileTemplate(ctx.fenv, source as JsonValue, at, rules)
  ctx.errors.push(...compiled.problems)
  if (!compiled.template) return undefined
  if (compiled.template.kind !== 'value') {
    ctx.errors.push({
      pointer: at,
      code: 'not_a_list',
      message: 'forEach is one "${…}" expression of a list, without text around it',
    })
    return undefined
  }
  const typed = templateSchema(compiled.template, at, ctx.fenv, rules)
  ctx.errors.push(...typed.problems)
  const list = resolve(typed.type.schema)
  const types = list.schema.type === undefined ? [] : [list.schema.type].flat()
  if (types.length !== 1 || types[0] !== 'array') {
    ctx.errors.push({
      pointer: at,
      code: 'not_a_list',
      message: `forEach must be a list, but "${compiled.template.expression.source}" is ${compiled.template.expression.type.name}`,
    })
    return undefined
  }
  const items = list.schema.items
  const element: Rooted = {
    schema: items !== undefined && typeof items === 'object' ? items : anySchema,
    root: list.root,
  }
  if (typed.type.mayBeAbsent)
    ctx.errors.push({
      pointer: at,
      code: 'optional_access',
      message: 'this list may be absent: a forEach needs one (test it with has(…) first)',
    })
  return { list: compiled.template, element, maxItems: list.schema.maxItems }
}

/**
 * A warning when the schemas let the step's aggregated output pass the
 * stored-value limit: as many items as the list may hold, each as large as
 * its call's output may be (the step then fails with `limit_exceeded`).
 */
function sizeWarning(
  ctx: StepContext,
  step: ForEachStep,
  at: string,
  target: BranchTarget,
  items: number,
): void {
  const limit = ctx.fenv.limits.value.maxBytes
  // An element is the output, or with continueOnError `{"ok":true,"output":…}`.
  const each = maxJsonBytes(rooted(outputOf(target))) + (step.continueOnError ? 22 : 0)
  if (2 + items * (each + 1) <= limit) return
  const call = target.task
    ? `task ${formatTaskRef(target.task)}`
    : `flow ${target.flow ? formatTaskRef(target.flow) : ''}`
  const size = Number.isFinite(each)
    ? `of up to ${each} bytes each`
    : `whose size the output schema of ${call} does not bound (a string without maxLength, an array without maxItems, or an object open to more properties)`
  ctx.warnings.push({
    pointer: at,
    code: 'output_may_exceed_limit',
    message: `the output of forEach step "${step.id}" may pass the stored-value limit of ${limit} bytes: up to ${items} items ${size}; the step fails with limit_exceeded when it does`,
  })
}

/** Checks a for-each step: its list, its item input against its call's input, its one-step flow. */
export function checkForEachStep(
  ctx: StepContext,
  graphStep: GraphStep,
  flow: FlowDocument,
  target: BranchTarget,
  rulesIn: (fenv: FlowEnvironment) => AccessRules,
  predecessors: readonly Predecessor[],
  compile: (document: FlowDocument) => CompiledFlow | undefined,
): CompiledForEach | undefined {
  const { step, index } = graphStep
  if (!('forEach' in step)) return undefined
  const at = pointer('/steps', index)
  const listed = listElements(ctx, step, pointer(at, 'forEach'), rulesIn(ctx.fenv))
  if (!listed) return undefined
  const itemEnvironment = ctx.fenv.withItem(rooted(standalone(listed.element)))
  const itemCtx: StepContext = { fenv: itemEnvironment, errors: ctx.errors, warnings: ctx.warnings }
  const elementInput = [{ kind: 'success' as const, step: graphStep, output: listed.element }]
  const input = checkInputAt(
    itemCtx,
    at,
    step.input as JsonValue | undefined,
    { schema: inputOf(target), describe: describeInput(target) },
    rulesIn(itemEnvironment),
    // Absent, each call's input is the element itself.
    step.input === undefined ? elementInput : predecessors,
  )
  if (!target.task && !target.flow) return undefined
  const maxItems = flow.limits?.maxItems ?? defaultMaxItems
  sizeWarning(ctx, step, at, target, Math.min(listed.maxItems ?? maxItems, maxItems))
  const inline = compile(callDocument(flow.name, step.id, step, target))
  if (!inline) return undefined
  return {
    list: listed.list,
    itemEnvironment,
    input,
    inline,
    concurrency: step.concurrency ?? defaultConcurrency,
    continueOnError: step.continueOnError === true,
  }
}
