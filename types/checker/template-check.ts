/**
 * Checks a template's type against the schema it must satisfy (a task's
 * input), and reports each mismatch at the deepest place of the template that
 * produces it: `/steps/2/input/items` rather than the whole input.
 */
import type { Problem } from '../errors.js'
import type { CompiledTemplate } from '../expressions/compile-template.js'
import type { TemplateType } from '../expressions/template-schema.js'
import type { JsonValue } from '../json.js'
import { parsePointer, pointer } from '../pointer.js'
import { isAssignable, type Mismatch } from '../schema/assignable.js'
import type { Rooted } from '../schema/rooted.js'

export interface TemplateCheck {
  readonly errors: Problem[]
  readonly warnings: Problem[]
}

/** Where in the document a path into the template's value is written. */
export function locate(
  template: CompiledTemplate,
  at: string,
  path: string,
): { pointer: string; rest: string[] } {
  const tokens = parsePointer(path)
  type Located = CompiledTemplate | { readonly kind: 'json'; readonly value: JsonValue }
  let node: Located = template
  let here = at
  let i = 0
  for (; i < tokens.length; i++) {
    const token = tokens[i] as string
    let child: Located | undefined
    if (node.kind === 'object') {
      const entry: readonly [string, CompiledTemplate] | undefined = node.entries.find(
        ([k]) => k === token,
      )
      child = entry?.[1]
    } else if (node.kind === 'array' && /^\d+$/.test(token)) {
      child = node.items[Number(token)]
    } else if (node.kind === 'literal' || node.kind === 'json') {
      const value: JsonValue = node.value
      if (value !== null && typeof value === 'object') {
        const inner: JsonValue | undefined = Array.isArray(value)
          ? value[Number(token)]
          : value[token]
        if (inner !== undefined) child = { kind: 'json', value: inner }
      }
    }
    if (!child) break
    node = child
    here = pointer(here, token)
  }
  return { pointer: here, rest: tokens.slice(i) }
}

export function checkTemplateAgainst(
  template: CompiledTemplate,
  type: TemplateType,
  target: Rooted,
  at: string,
  describeTarget: string,
): TemplateCheck {
  const errors: Problem[] = []
  const warnings: Problem[] = []
  if (type.mayBeAbsent) {
    errors.push({
      pointer: at,
      code: 'optional_access',
      message: `this value may be absent, but ${describeTarget} needs a value`,
    })
  }
  for (const m of isAssignable(type.schema, target)) {
    const place = locate(template, at, m.path)
    const problem = mismatchProblem(m, place.pointer, place.rest, describeTarget)
    const dynamic = type.dynamic.some(
      (d) => place.pointer === d || place.pointer.startsWith(`${d}/`),
    )
    if (dynamic) {
      warnings.push({
        ...problem,
        code: 'dynamic_value',
        message: `${problem.message} (the value's type is only known at run time; it is validated before each call)`,
      })
    } else {
      errors.push(problem)
    }
  }
  return { errors, warnings }
}

function mismatchProblem(m: Mismatch, at: string, rest: string[], describeTarget: string): Problem {
  const restPointer = rest.map((t) => `/${t}`).join('')
  const namesItself = rest.length === 1 && m.message.startsWith(`property "${rest[0]}"`)
  const where = rest.length === 0 || namesItself ? '' : `at ${restPointer}: `
  return {
    pointer: at,
    code: 'type_mismatch',
    message: `${where}${m.message} — ${describeTarget}`,
    expected: m.expected,
    found: m.found,
    path: m.path,
  }
}
