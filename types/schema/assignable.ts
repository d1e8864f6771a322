/**
 * The compatibility relation between value schemas: `isAssignable(from, to)`
 * holds when every value valid under `from` is valid under `to`. It is the one
 * relation weir uses everywhere a value crosses a typed boundary: a step's input
 * template into a task's input schema, a component's WIT-derived schema into a
 * task's declared one, and back.
 *
 * Exactness comes first: a mismatch names the place in the value (a pointer,
 * `*` standing for any element), what the target expects and what the source
 * provides. Two documented approximations: objects are compared structurally
 * (properties the source does not declare are taken to be absent), and `oneOf`
 * is treated as `anyOf` (variants are expected to be disjoint).
 */
import type { JsonValue } from '../json.js'
import { assignNumber } from './assignable-number.js'
import { assignArray, assignObject } from './assignable-structure.js'
import { describe, describeValue } from './describe.js'
import {
  finiteValues,
  isUnconstrained,
  type Rooted,
  resolve,
  rooted,
  type TypeName,
  typesOf,
  type ValueSchema,
  variantsOf,
} from './rooted.js'
import { valueMatches } from './value-matches.js'

export interface Mismatch {
  /** Where in the value, as a JSON Pointer; `*` is any array element or map value. */
  path: string
  expected: string
  found: string
  message: string
  /**
   * True when the value's shape fits and only a finer constraint does not
   * (bounds, lengths, a pattern, uniqueness, a set of numbers): the kind of
   * difference a WIT type cannot express.
   */
  refinement: boolean
}

/** Context threaded through one comparison: pairs in progress make recursive schemas terminate. */
export interface AssignContext {
  readonly inProgress: WeakMap<object, WeakSet<object>>
}

type SchemaArg = ValueSchema | Rooted

function asRooted(s: SchemaArg): Rooted {
  return 'root' in s && 'schema' in s && typeof s.schema === 'object'
    ? (s as Rooted)
    : rooted(s as ValueSchema)
}

/** Returns the mismatches that keep `from` from being assignable to `to`; empty means assignable. */
export function isAssignable(from: SchemaArg, to: SchemaArg): Mismatch[] {
  const ctx: AssignContext = { inProgress: new WeakMap() }
  return assign(asRooted(from), asRooted(to), '', ctx)
}

export function mismatch(
  path: string,
  expected: string,
  found: string,
  message?: string,
  refinement = false,
): Mismatch {
  return {
    path,
    expected,
    found,
    message: message ?? `expected ${expected}, found ${found}`,
    refinement,
  }
}

/** A mismatch in a finer constraint only (see `Mismatch.refinement`). */
export function refinementMismatch(path: string, expected: string, found: string): Mismatch {
  return mismatch(path, expected, found, undefined, true)
}

export function assign(fromIn: Rooted, toIn: Rooted, path: string, ctx: AssignContext): Mismatch[] {
  const from = resolve(fromIn)
  const to = resolve(toIn)
  if (isUnconstrained(to.schema) || from.schema === to.schema) return []
  const seen = ctx.inProgress.get(from.schema) ?? new WeakSet<object>()
  if (seen.has(to.schema)) return []
  ctx.inProgress.set(from.schema, seen)
  seen.add(to.schema)
  try {
    return assignResolved(from, to, path, ctx)
  } finally {
    seen.delete(to.schema)
  }
}

function assignResolved(from: Rooted, to: Rooted, path: string, ctx: AssignContext): Mismatch[] {
  const fromVariants = variantsOf(from)
  if (fromVariants) return fromVariants.flatMap((v) => assign(v, to, path, ctx))
  if (isUnconstrained(from.schema)) return [mismatch(path, describe(to), 'any value')]
  const values = finiteValues(from.schema)
  if (values) return assignValues(values, from, to, path)
  const toVariants = variantsOf(to)
  if (toVariants) return assignToUnion(from, to, toVariants, path, ctx)
  if (finiteValues(to.schema)) {
    const fromTypes = typesOf(from)
    if (fromTypes.size === 1 && fromTypes.has('boolean'))
      return assignValues([true, false], from, to, path)
    const numeric = [...fromTypes].every((t) => t === 'integer' || t === 'number')
    const allNumbers = (finiteValues(to.schema) ?? []).every((v) => typeof v === 'number')
    return [mismatch(path, describe(to), describe(from), undefined, numeric && allNumbers)]
  }
  return assignTypes(from, to, path, ctx)
}

function assignValues(values: JsonValue[], from: Rooted, to: Rooted, path: string): Mismatch[] {
  const bad = values.filter((v) => !valueMatches(v, to))
  if (bad.length === 0) return []
  const found = bad.length === values.length ? describe(from) : bad.map(describeValue).join(' | ')
  return [mismatch(path, describe(to), found)]
}

function assignToUnion(
  from: Rooted,
  to: Rooted,
  variants: Rooted[],
  path: string,
  ctx: AssignContext,
): Mismatch[] {
  const results = variants.map((v) => assign(from, v, path, ctx))
  if (results.some((r) => r.length === 0)) return []
  const fromTypes = typesOf(from)
  const plausible = results.filter((_, i) => {
    const variant = variants[i] as Rooted
    return [...typesOf(variant)].some((t) => fromTypes.has(t)) && discriminatorsAgree(from, variant)
  })
  if (plausible.length === 1) return plausible[0] as Mismatch[]
  return [mismatch(path, describe(to), describe(from))]
}

/** False when a property is a constant in both schemas with different values (a variant's tag). */
function discriminatorsAgree(from: Rooted, to: Rooted): boolean {
  const fromProps = from.schema.properties ?? {}
  for (const [name, toProp] of Object.entries(to.schema.properties ?? {})) {
    const fromProp = fromProps[name]
    if (!fromProp || !toProp) continue
    const toValues = finiteValues(resolve({ schema: toProp, root: to.root }).schema)
    const fromValues = finiteValues(resolve({ schema: fromProp, root: from.root }).schema)
    if (!toValues || !fromValues) continue
    if (!fromValues.some((v) => toValues.some((w) => JSON.stringify(v) === JSON.stringify(w))))
      return false
  }
  return true
}

function assignTypes(from: Rooted, to: Rooted, path: string, ctx: AssignContext): Mismatch[] {
  const fromTypes = typesOf(from)
  const toTypes = typesOf(to)
  const out: Mismatch[] = []
  const accepted: TypeName[] = []
  for (const type of fromTypes) {
    if (type === 'integer' && fromTypes.has('number')) continue
    if (toTypes.has(type)) accepted.push(type)
    else out.push(typeMismatch(type, fromTypes, to, path))
  }
  for (const type of accepted) {
    switch (type) {
      case 'integer':
      case 'number':
        out.push(...assignNumber(type, from.schema, to.schema, path))
        break
      case 'string':
        out.push(...assignString(from.schema, to.schema, path))
        break
      case 'array':
        out.push(...assignArray(from, to, path, ctx))
        break
      case 'object':
        out.push(...assignObject(from, to, path, ctx))
        break
    }
  }
  return out
}

function typeMismatch(
  type: TypeName,
  fromTypes: Set<TypeName>,
  to: Rooted,
  path: string,
): Mismatch {
  const expected = describe(to)
  if (type === 'null') {
    return mismatch(
      path,
      expected,
      'null',
      `expected ${expected}, found null (the value may be null)`,
    )
  }
  const distinct = [...fromTypes].filter((t) => t !== 'integer' || !fromTypes.has('number'))
  const found = distinct.length > 1 ? `${type} (one of the value's types)` : type
  return mismatch(path, expected, found)
}

function assignString(from: ValueSchema, to: ValueSchema, path: string): Mismatch[] {
  const out: Mismatch[] = []
  const fromMin = from.minLength ?? 0
  if (to.minLength !== undefined && fromMin < to.minLength) {
    out.push(
      refinementMismatch(
        path,
        `string of length ≥ ${to.minLength}`,
        `string of length ≥ ${fromMin}`,
      ),
    )
  }
  if (
    to.maxLength !== undefined &&
    (from.maxLength === undefined || from.maxLength > to.maxLength)
  ) {
    out.push(
      refinementMismatch(
        path,
        `string of length ≤ ${to.maxLength}`,
        `string of length ≤ ${from.maxLength ?? '∞'}`,
      ),
    )
  }
  if (to.pattern !== undefined && from.pattern !== to.pattern) {
    const found = from.pattern === undefined ? 'any string' : `string matching /${from.pattern}/`
    out.push(refinementMismatch(path, `string matching /${to.pattern}/`, found))
  }
  return out
}
