/**
 * Finds field accesses that could fail at run time because the field may be
 * absent: an optional (or nullable) property, or `steps.x.output` / `.error`
 * where step x has not succeeded / failed on every path to the expression.
 * An access is safe when a `has(…)` test guards it: on the right of `&&`, in
 * the true branch of `?:`, or after `!has(…) ||`. `x.?f` never fails.
 */
import { typesOf } from '../schema/rooted.js'
import { type CelNode, callOf, canonicalText, childrenOf, fieldAccess } from './cel-ast.js'
import type { MessageInfo } from './cel-shapes.js'

export type StepPart = 'output' | 'error'

export interface AccessRules {
  readonly messages: ReadonlyMap<string, MessageInfo>
  /** True when step `step` has certainly produced `part` wherever the expression is evaluated. */
  stepAvailable(step: string, part: StepPart): boolean
}

export interface AccessProblem {
  readonly node: CelNode
  readonly code: 'optional_access' | 'step_not_available'
  readonly message: string
}

const stepTypePrefix = 'Step.'

export function findUnguardedAccess(root: CelNode, rules: AccessRules): AccessProblem[] {
  const problems: AccessProblem[] = []
  const walk = (node: CelNode, guards: ReadonlySet<string>): void => {
    const call = callOf(node)
    if (call?.name === 'has' && !call.receiver && call.args.length === 1) {
      const tested = fieldAccess(call.args[0] as CelNode)
      if (tested) walk(tested.left, guards)
      return
    }
    const [a, b, c] = childrenOf(node)
    switch (node.op) {
      case '&&':
        walk(a as CelNode, guards)
        walk(b as CelNode, union(guards, facts(a as CelNode, true)))
        return
      case '||':
        walk(a as CelNode, guards)
        walk(b as CelNode, union(guards, facts(a as CelNode, false)))
        return
      case '?:':
        walk(a as CelNode, guards)
        walk(b as CelNode, union(guards, facts(a as CelNode, true)))
        walk(c as CelNode, union(guards, facts(a as CelNode, false)))
        return
      case '.': {
        const problem = checkAccess(node, guards, rules)
        if (problem) problems.push(problem)
        break
      }
    }
    for (const child of childrenOf(node)) walk(child, guards)
  }
  walk(root, new Set())
  return problems
}

function union(a: ReadonlySet<string>, b: string[]): ReadonlySet<string> {
  return b.length === 0 ? a : new Set([...a, ...b])
}

/** What is known to be present when `node` evaluates to `when`. */
function facts(node: CelNode, when: boolean): string[] {
  if (node.op === '!_') return facts(node.args as CelNode, !when)
  const call = callOf(node)
  if (when && call?.name === 'has' && !call.receiver && call.args[0])
    return withPrefixes(call.args[0])
  const [a, b] = childrenOf(node)
  if (when && node.op === '&&') return [...facts(a as CelNode, true), ...facts(b as CelNode, true)]
  if (!when && node.op === '||')
    return [...facts(a as CelNode, false), ...facts(b as CelNode, false)]
  return []
}

function withPrefixes(node: CelNode): string[] {
  const out = [canonicalText(node)]
  for (let access = fieldAccess(node); access; access = fieldAccess(access.left)) {
    out.push(canonicalText(access.left))
  }
  return out
}

function checkAccess(
  node: CelNode,
  guards: ReadonlySet<string>,
  rules: AccessRules,
): AccessProblem | undefined {
  const access = fieldAccess(node)
  const leftType = access?.left.checkedType
  if (!access || leftType?.kind !== 'message') return undefined
  const text = canonicalText(node)
  if (guards.has(text)) return undefined
  if (leftType.name.startsWith(stepTypePrefix)) {
    const step = leftType.name.slice(stepTypePrefix.length)
    const part = access.field as StepPart
    if (rules.stepAvailable(step, part)) return undefined
    const verb = part === 'output' ? 'succeeded' : 'failed'
    return {
      node,
      code: 'step_not_available',
      message: `${text} is not available here: step "${step}" has not ${verb} on every path to this point; test has(${text}) first`,
    }
  }
  const field = rules.messages.get(leftType.name)?.fields.get(access.field)
  if (!field) return undefined
  const nullable = typesOf(field.schema).has('null')
  if (field.required && !nullable) return undefined
  const why = nullable ? 'it may be null' : `"${access.field}" is not required in ${leftType.name}`
  const left = canonicalText(access.left)
  return {
    node,
    code: 'optional_access',
    message: `${text} may be absent (${why}); test has(${text}) first or write ${left}.?${access.field}.orValue(…)`,
  }
}
