/**
 * The templates of `set` and `fail` steps: a set step's template is its
 * output, typed as the template (a value that may be absent is refused: the
 * output needs one); a fail step's message must be a string.
 */
import { type CompiledTemplate, compileTemplate } from '../expressions/compile-template.js'
import type { AccessRules } from '../expressions/guards.js'
import { templateSchema } from '../expressions/template-schema.js'
import type { JsonValue } from '../json.js'
import { pointer } from '../pointer.js'
import { anySchema, type Rooted, rooted } from '../schema/rooted.js'
import type { StepContext } from './check-steps.js'
import type { GraphStep } from './flow-graph.js'
import { checkTemplateAgainst } from './template-check.js'

/** A set step's template, compiled and typed (its type is the step's output schema). */
export function checkSetStep(
  ctx: StepContext,
  graphStep: GraphStep,
  rules: AccessRules,
): { template: CompiledTemplate | undefined; output: Rooted | undefined } {
  const { step, index } = graphStep
  if (!('set' in step)) return { template: undefined, output: undefined }
  const at = pointer('/steps', index, 'set')
  const compiled = compileTemplate(ctx.fenv, step.set as JsonValue, at, rules)
  ctx.errors.push(...compiled.problems)
  if (!compiled.template) return { template: undefined, output: undefined }
  const typed = templateSchema(compiled.template, at, ctx.fenv, rules)
  ctx.errors.push(...typed.problems)
  const checked = checkTemplateAgainst(
    compiled.template,
    typed.type,
    rooted(anySchema),
    at,
    `the output of set step "${step.id}"`,
  )
  ctx.errors.push(...checked.errors)
  return { template: compiled.template, output: typed.type.schema }
}

/** A fail step's message template, which must be a string. */
export function checkFailStep(
  ctx: StepContext,
  graphStep: GraphStep,
  rules: AccessRules,
): CompiledTemplate | undefined {
  const { step, index } = graphStep
  if (!('fail' in step)) return undefined
  const at = pointer('/steps', index, 'fail', 'message')
  const compiled = compileTemplate(ctx.fenv, step.fail.message as JsonValue, at, rules)
  ctx.errors.push(...compiled.problems)
  if (!compiled.template) return undefined
  const typed = templateSchema(compiled.template, at, ctx.fenv, rules)
  ctx.errors.push(...typed.problems)
  const checked = checkTemplateAgainst(
    compiled.template,
    typed.type,
    rooted({ type: 'string' }),
    at,
    `the message of fail step "${step.id}"`,
  )
  ctx.errors.push(...checked.errors)
  ctx.warnings.push(...checked.warnings)
  return compiled.template
}
