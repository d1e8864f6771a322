/**
 * Explains why a document failed its schema with one precise problem per
 * mistake. ajv reports every branch of a failed `oneOf`/`anyOf`; here the
 * branch the author meant is chosen (by the fields that tell branches apart, or
 * by the value's JSON type) and the value is validated against that branch
 * alone, recursively. When no branch can be told apart, one problem says what
 * each branch needs.
 */
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js'
import type { Problem } from '../errors.js'
import type { JsonValue } from '../json.js'
import { parsePointer } from '../pointer.js'
import { jsonTypeOf } from '../schema/rooted.js'
import { type BranchContext, humanize } from './ajv-messages.js'
import { locationOf, validatorAt } from './document-schemas.js'

interface SchemaNode {
  $ref?: string
  type?: string | string[]
  title?: string
  required?: string[]
  properties?: Record<string, unknown>
  oneOf?: SchemaNode[]
  anyOf?: SchemaNode[]
  errorMessages?: Record<string, string>
}

/** Validates `value` and explains every failure; `base` prefixes every pointer. */
export function explain(
  validate: ValidateFunction,
  value: unknown,
  base = '',
  context?: BranchContext,
): Problem[] {
  if (validate(value)) return []
  const errors = validate.errors ?? []
  const unions = outermostUnions(errors)
  const problems: Problem[] = []
  for (const error of errors) {
    if (unions.some((u) => isWithin(error.instancePath, u.instancePath))) continue
    // Its cause, the name's own error, says more (humanize points it at the name).
    if (error.keyword === 'propertyNames') continue
    const own = context && error.instancePath === '' ? context : undefined
    problems.push(humanize(error, base, own))
  }
  for (const union of unions) problems.push(...explainUnion(union, value, base))
  return dedupe(problems)
}

function isWithin(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`)
}

function outermostUnions(errors: ErrorObject[]): ErrorObject[] {
  const unions = errors
    .filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf')
    .sort((a, b) => a.instancePath.length - b.instancePath.length)
  const out: ErrorObject[] = []
  for (const u of unions)
    if (!out.some((o) => isWithin(u.instancePath, o.instancePath))) out.push(u)
  return out
}

function valueAt(root: unknown, path: string): unknown {
  let node = root
  for (const token of parsePointer(path)) {
    node =
      node !== null && typeof node === 'object'
        ? (node as Record<string, unknown>)[token]
        : undefined
  }
  return node
}

function deref(node: SchemaNode): SchemaNode {
  if (!node.$ref) return node
  const location = locationOf(node)
  const base = location?.slice(0, location.indexOf('#')) ?? ''
  const uri = node.$ref.startsWith('#') ? base + node.$ref : node.$ref
  return validatorAt(uri).schema as SchemaNode
}

function nounOf(union: SchemaNode): string {
  const title = union.title ?? 'value'
  return title.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()
}

function explainUnion(union: ErrorObject, document: unknown, base: string): Problem[] {
  const schema = union.parentSchema as SchemaNode
  const location = locationOf(schema)
  const branches = (schema.oneOf ?? schema.anyOf ?? []).map(deref)
  const value = valueAt(document, union.instancePath)
  const at = base + union.instancePath
  const keyword = schema.oneOf ? 'oneOf' : 'anyOf'
  const choice = chooseBranch(branches, value)
  if (choice && location) {
    const validate = validatorAt(`${location}/${keyword}/${choice.index}`)
    const context =
      choice.chosenBy.length > 0 ? { noun: nounOf(schema), chosenBy: choice.chosenBy } : undefined
    const found = explain(validate, value, at, context)
    if (found.length > 0) return found
  }
  return [{ pointer: at, code: 'invalid_document', message: unionMessage(schema, branches, value) }]
}

interface Choice {
  index: number
  chosenBy: string[]
}

function typesOfBranch(branch: SchemaNode): string[] {
  if (branch.type) return Array.isArray(branch.type) ? branch.type : [branch.type]
  if (branch.required || branch.properties) return ['object']
  return []
}

function typeFits(types: string[], value: unknown): boolean {
  const t = jsonTypeOf(value as JsonValue)
  return types.length === 0 || types.includes(t) || (t === 'integer' && types.includes('number'))
}

/** Fields some branches require and others do not: what tells the branches apart. */
function distinguishing(branches: SchemaNode[]): string[][] {
  const all = branches.map((b) => b.required ?? [])
  const common = all.reduce((acc, r) => acc.filter((k) => r.includes(k)), all[0] ?? [])
  return all.map((r) => r.filter((k) => !common.includes(k)))
}

function chooseBranch(branches: SchemaNode[], value: unknown): Choice | undefined {
  const fitting = branches
    .map((b, index) => ({ index, b }))
    .filter(({ b }) => typeFits(typesOfBranch(b), value))
  if (fitting.length === 1) return { index: (fitting[0] as { index: number }).index, chosenBy: [] }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined
  const keys = Object.keys(value)
  const keysOf = distinguishing(branches)
  const scored = fitting.map(({ index, b }) => {
    const present = (keysOf[index] ?? []).filter((k) => keys.includes(k))
    const foreign = keys.filter((k) => b.properties && !(k in b.properties))
    return { index, present, score: present.length - foreign.length }
  })
  const best = Math.max(...scored.map((s) => s.score))
  const winners = scored.filter((s) => s.score === best && s.present.length > 0)
  if (winners.length !== 1) return undefined
  const winner = winners[0] as { index: number; present: string[] }
  return { index: winner.index, chosenBy: winner.present }
}

function unionMessage(union: SchemaNode, branches: SchemaNode[], value: unknown): string {
  const noun = nounOf(union)
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const keysOf = distinguishing(branches)
    const keys = Object.keys(value)
    const clashing = keysOf
      .map((own) => own.find((k) => keys.includes(k)))
      .filter((k) => k !== undefined)
    if (clashing.length > 1) {
      return `${noun} cannot have both ${clashing.map((k) => `"${k}"`).join(' and ')}`
    }
    const options = keysOf
      .filter((keys) => keys.length > 0)
      .map((keys) => keys.map((k) => `"${k}"`).join(' and '))
    if (options.length > 0) {
      const found =
        Object.keys(value)
          .map((k) => `"${k}"`)
          .join(', ') || 'no fields'
      return `${noun} needs ${options.join(', or ')} (found ${found})`
    }
  }
  if (union.errorMessages?.[union.oneOf ? 'oneOf' : 'anyOf']) {
    return `${union.errorMessages[union.oneOf ? 'oneOf' : 'anyOf']}, found ${jsonTypeOf(value as JsonValue)}`
  }
  const expected = branches.map((b) =>
    b.title ? nounOf(b) : typesOfBranch(b).join(' or ') || 'value',
  )
  return `expected ${expected.join(' or ')}, found ${jsonTypeOf(value as JsonValue)}`
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>()
  return problems.filter((p) => {
    const key = `${p.pointer}\u0000${p.message}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
