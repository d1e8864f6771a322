/**
 * The type checks of one step: its input template (or the implicit input, the
 * output of whichever step ran before) against its task's input schema, and
 * its edge conditions, which must be bool.
 */
import type { Problem } from '../errors.js'
import { type CompiledExpression, compileExpression } from '../expressions/compile-expression.js'
import { type CompiledTemplate, compileTemplate } from '../expressions/compile-template.js'
import type { FlowEnvironment } from '../expressions/flow-environment.js'
import type { AccessRules } from '../expressions/guards.js'
import { templateSchema } from '../expressions/template-schema.js'
import type { JsonValue } from '../json.js'
import { pointer } from '../pointer.js'
import { isAssignable } from '../schema/assignable.js'
import { anySchema, type Rooted, rooted, type ValueSchema } from '../schema/rooted.js'
import type { GraphStep } from './flow-graph.js'
import { checkTemplateAgainst } from './template-check.js'

export interface StepContext {
  readonly fenv: FlowEnvironment
  readonly errors: Problem[]
  readonly warnings: Problem[]
}

/** Where the implicit input of a step can come from. */
export type Predecessor =
  | { readonly kind: 'flow-input' }
  | { readonly kind: 'success'; readonly step: GraphStep; readonly output: Rooted }
  | { readonly kind: 'error'; readonly step: GraphStep }

/** What a step's input must be: a task's or a child flow's input schema (undefined: every JSON value). */
export interface InputTarget {
  readonly schema: ValueSchema | undefined
  /** In messages: `input of task price-order@3`. */
  readonly describe: string
}

export function checkStepInput(
  ctx: StepContext,
  graphStep: GraphStep,
  target: InputTarget,
  rules: AccessRules,
  predecessors: readonly Predecessor[],
): CompiledTemplate | undefined {
  const step = graphStep.step
  const input = 'input' in step ? step.input : undefined
  return checkInputAt(ctx, pointer('/steps', graphStep.index), input, target, rules, predecessors)
}

/**
 * An input template at `at` (a step's, or a parallel branch's) against what it
 * must be; absent, the output of the step that ran before is passed on, and
 * checked so.
 */
export function checkInputAt(
  ctx: StepContext,
  at: string,
  input: JsonValue | undefined,
  target: InputTarget,
  rules: AccessRules,
  predecessors: readonly Predecessor[],
): CompiledTemplate | undefined {
  const schema = rooted(target.schema ?? anySchema)
  if (input === undefined) {
    checkImplicitInput(ctx, at, schema, target.describe, predecessors)
    return undefined
  }
  const inputAt = pointer(at, 'input')
  const compiled = compileTemplate(ctx.fenv, input, inputAt, rules)
  ctx.errors.push(...compiled.problems)
  if (!compiled.template) return undefined
  const typed = templateSchema(compiled.template, inputAt, ctx.fenv, rules)
  ctx.errors.push(...typed.problems)
  if (target.schema) {
    const result = checkTemplateAgainst(
      compiled.template,
      typed.type,
      schema,
      inputAt,
      target.describe,
    )
    ctx.errors.push(...result.errors)
    ctx.warnings.push(...result.warnings)
  }
  return compiled.template
}

function checkImplicitInput(
  ctx: StepContext,
  at: string,
  target: Rooted,
  describeTarget: string,
  predecessors: readonly Predecessor[],
): void {
  for (const pred of predecessors) {
    if (pred.kind === 'error') {
      ctx.errors.push({
        pointer: at,
        code: 'implicit_input',
        message: `"input" is omitted, but step "${pred.step.step.id}" routes its errors here and a failed step has no output to pass on; give this step an explicit "input"`,
      })
      continue
    }
    const source = pred.kind === 'flow-input' ? ctx.fenv.input.schema : pred.output
    const from =
      pred.kind === 'flow-input' ? 'the flow input' : `the output of step "${pred.step.step.id}"`
    for (const m of isAssignable(source, target)) {
      const where = m.path ? ` at ${m.path}` : ''
      ctx.errors.push({
        pointer: at,
        code: 'type_mismatch',
        message: `"input" is omitted, so ${from} is passed to ${describeTarget}, but${where}: ${m.message}`,
        expected: m.expected,
        found: m.found,
        path: m.path,
      })
    }
  }
}

/** Compiles the conditions of a step's edges; each must be a bool expression. */
export function checkConditions(
  ctx: StepContext,
  graphStep: GraphStep,
  rules: AccessRules,
): Map<number, CompiledExpression> {
  const compiled = new Map<number, CompiledExpression>()
  for (const transition of graphStep.success) {
    if (transition.condition === undefined || transition.edge === undefined) continue
    const at = pointer(transition.pointer, 'if')
    const expression = compileCondition(ctx, transition.condition, at, rules)
    if (expression) compiled.set(transition.edge, expression)
  }
  return compiled
}

/** Compiles a bool expression (an edge condition or a trigger guard) and reports its problems at `at`. */
export function compileCondition(
  ctx: StepContext,
  source: string,
  at: string,
  rules: AccessRules,
): CompiledExpression | undefined {
  const result = compileExpression(ctx.fenv, source, rules)
  if (!result.ok) {
    for (const p of result.problems) ctx.errors.push({ pointer: at, ...p })
    return undefined
  }
  const type = result.expression.type.name
  if (type !== 'bool') {
    ctx.errors.push({
      pointer: at,
      code: 'condition_not_bool',
      message: `a condition must be bool, but "${source}" is ${type}`,
      expected: 'bool',
      found: type,
    })
    return undefined
  }
  return result.expression
}
