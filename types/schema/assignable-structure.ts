/**
 * Array and object parts of the compatibility relation: element schemas (lists
 * and tuples), lengths, uniqueness; properties, required-ness and closed objects.
 */
import { pointer } from '../pointer.js'
import {
  type AssignContext,
  assign,
  type Mismatch,
  mismatch,
  refinementMismatch,
} from './assignable.js'
import { describe } from './describe.js'
import { anySchema, type Rooted, type ValueSchema } from './rooted.js'

function elementAt(s: ValueSchema, i: number): ValueSchema {
  return s.prefixItems?.[i] ?? s.items ?? anySchema
}

export function assignArray(
  from: Rooted,
  to: Rooted,
  path: string,
  ctx: AssignContext,
): Mismatch[] {
  const f = from.schema
  const t = to.schema
  const out: Mismatch[] = []
  const fromMax = f.maxItems
  const prefixLength = Math.max(f.prefixItems?.length ?? 0, t.prefixItems?.length ?? 0)
  for (let i = 0; i < prefixLength && (fromMax === undefined || i < fromMax); i++) {
    const fromElement = { schema: elementAt(f, i), root: from.root }
    const toElement = { schema: elementAt(t, i), root: to.root }
    out.push(...assign(fromElement, toElement, pointer(path, i), ctx))
  }
  if ((fromMax === undefined || fromMax > prefixLength) && t.items) {
    const fromRest = { schema: f.items ?? anySchema, root: from.root }
    out.push(...assign(fromRest, { schema: t.items, root: to.root }, pointer(path, '*'), ctx))
  }
  const fromMin = f.minItems ?? 0
  if (t.minItems !== undefined && fromMin < t.minItems) {
    out.push(
      refinementMismatch(
        path,
        `array of at least ${t.minItems} items`,
        `array of at least ${fromMin} items`,
      ),
    )
  }
  if (t.maxItems !== undefined && (fromMax === undefined || fromMax > t.maxItems)) {
    const found =
      fromMax === undefined ? 'array of any length' : `array of at most ${fromMax} items`
    out.push(refinementMismatch(path, `array of at most ${t.maxItems} items`, found))
  }
  if (t.uniqueItems && !f.uniqueItems && (fromMax === undefined || fromMax > 1)) {
    out.push(refinementMismatch(path, 'array of unique items', 'array that may repeat items'))
  }
  return out
}

export function assignObject(
  from: Rooted,
  to: Rooted,
  path: string,
  ctx: AssignContext,
): Mismatch[] {
  const f = from.schema
  const t = to.schema
  const out: Mismatch[] = []
  const fromProps = f.properties ?? {}
  const toProps = t.properties ?? {}
  const fromRequired = new Set(f.required ?? [])
  const toRequired = new Set(t.required ?? [])
  const fromExtra = typeof f.additionalProperties === 'object' ? f.additionalProperties : undefined

  for (const name of new Set([...Object.keys(toProps), ...toRequired])) {
    const at = pointer(path, name)
    const fromProp = fromProps[name] ?? fromExtra
    if (toRequired.has(name) && !fromRequired.has(name)) {
      const found = fromProp ? 'optional property' : 'no such property'
      const why = fromProp ? 'may be absent' : 'is missing'
      out.push(
        mismatch(at, 'required property', found, `property "${name}" is required but ${why}`),
      )
    }
    const toProp = toProps[name]
    if (fromProp && toProp) {
      out.push(
        ...assign(
          { schema: fromProp, root: from.root },
          { schema: toProp, root: to.root },
          at,
          ctx,
        ),
      )
    }
  }

  for (const [name, fromProp] of Object.entries(fromProps)) {
    if (name in toProps || !fromProp) continue
    const at = pointer(path, name)
    if (t.additionalProperties === false) {
      const message = `property "${name}" is not allowed here (the target has additionalProperties: false)`
      out.push(mismatch(at, 'no other properties', `property "${name}"`, message))
    } else if (typeof t.additionalProperties === 'object') {
      const toExtra = { schema: t.additionalProperties, root: to.root }
      out.push(...assign({ schema: fromProp, root: from.root }, toExtra, at, ctx))
    }
  }

  if (fromExtra) {
    const at = pointer(path, '*')
    if (t.additionalProperties === false) {
      const found = `map of ${describe({ schema: fromExtra, root: from.root })}`
      out.push(mismatch(at, 'no other properties', found))
    } else if (typeof t.additionalProperties === 'object') {
      const toExtra = { schema: t.additionalProperties, root: to.root }
      out.push(...assign({ schema: fromExtra, root: from.root }, toExtra, at, ctx))
    }
  }
  out.push(...assignPropertyCounts(f, t, path))
  return out
}

function assignPropertyCounts(f: ValueSchema, t: ValueSchema, path: string): Mismatch[] {
  const out: Mismatch[] = []
  const fromMin = Math.max(f.minProperties ?? 0, f.required?.length ?? 0)
  if (t.minProperties !== undefined && fromMin < t.minProperties) {
    out.push(
      refinementMismatch(
        path,
        `object with at least ${t.minProperties} properties`,
        `object with at least ${fromMin}`,
      ),
    )
  }
  if (t.maxProperties !== undefined) {
    const closedCount =
      f.additionalProperties === false ? Object.keys(f.properties ?? {}).length : undefined
    const fromMax = Math.min(
      f.maxProperties ?? Number.POSITIVE_INFINITY,
      closedCount ?? Number.POSITIVE_INFINITY,
    )
    if (fromMax > t.maxProperties) {
      const found = Number.isFinite(fromMax)
        ? `object with up to ${fromMax} properties`
        : 'object with any number of properties'
      out.push(refinementMismatch(path, `object with at most ${t.maxProperties} properties`, found))
    }
  }
  return out
}
