/**
 * Checks a flow's triggers: a `when` guard is a bool expression over the
 * trigger's input only (no step has run when it is evaluated), and a cron
 * trigger's fixed input is valid under the flow's input schema.
 */

import type { CompiledExpression } from '../expressions/compile-expression.js'
import type { AccessRules } from '../expressions/guards.js'
import type { FlowDocument } from '../generated/flow.js'
import { pointer } from '../pointer.js'
import { validateValue } from '../schema/value-validator.js'
import { compileCondition, type StepContext } from './check-steps.js'
import type { CompiledTrigger } from './compiled-flow.js'

/** Checks every trigger; answers them compiled (their guards parsed and typed once). */
export function checkTriggers(
  ctx: StepContext,
  flow: FlowDocument,
  rules: AccessRules,
): CompiledTrigger[] {
  const compiled: CompiledTrigger[] = []
  for (const [i, trigger] of (flow.triggers ?? []).entries()) {
    const at = pointer('/triggers', i)
    let when: CompiledExpression | undefined
    if (trigger.when !== undefined) {
      const whenAt = pointer(at, 'when')
      const guard = compileCondition(ctx, trigger.when, whenAt, rules)
      when = guard
      if (guard && (guard.refs.run || guard.refs.steps.size > 0)) {
        ctx.errors.push({
          pointer: whenAt,
          code: 'expression_type',
          message: `a trigger guard is evaluated before the run exists and can use only input — in "${trigger.when}"`,
        })
      }
    }
    if ('cron' in trigger && flow.input) {
      const inputAt = pointer(at, 'input')
      for (const p of validateValue(flow.input, trigger.input ?? null, inputAt)) {
        ctx.errors.push({
          ...p,
          code: 'invalid_trigger_input',
          message: `${p.message} (the flow's input schema)`,
        })
      }
    }
    compiled.push({ index: i, kind: 'cron' in trigger ? 'cron' : 'http', when, pointer: at })
  }
  return compiled
}
