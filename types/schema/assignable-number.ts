/**
 * Numeric part of the compatibility relation: ranges (inclusive and exclusive
 * bounds, with integer rounding), `multipleOf`, and number vs integer.
 *
 * JSON integers in weir are safe integers (|n| ≤ 2^53 − 1): values beyond are
 * rejected where they enter, so an integer without bounds ranges over the safe
 * integers. A number without bounds has none.
 */
import type { Mismatch } from './assignable.js'
import { describeRange } from './describe.js'
import type { ValueSchema } from './rooted.js'

interface Bound {
  value: number
  exclusive: boolean
}

function lowerBound(s: ValueSchema, integer: boolean): Bound | undefined {
  const candidates: Bound[] = []
  if (s.minimum !== undefined) candidates.push({ value: s.minimum, exclusive: false })
  if (s.exclusiveMinimum !== undefined)
    candidates.push({ value: s.exclusiveMinimum, exclusive: true })
  const bound = candidates.sort(
    (a, b) => b.value - a.value || Number(b.exclusive) - Number(a.exclusive),
  )[0]
  if (!integer) return bound
  if (!bound) return { value: -Number.MAX_SAFE_INTEGER, exclusive: false }
  return {
    value: bound.exclusive ? Math.floor(bound.value) + 1 : Math.ceil(bound.value),
    exclusive: false,
  }
}

function upperBound(s: ValueSchema, integer: boolean): Bound | undefined {
  const candidates: Bound[] = []
  if (s.maximum !== undefined) candidates.push({ value: s.maximum, exclusive: false })
  if (s.exclusiveMaximum !== undefined)
    candidates.push({ value: s.exclusiveMaximum, exclusive: true })
  const bound = candidates.sort(
    (a, b) => a.value - b.value || Number(b.exclusive) - Number(a.exclusive),
  )[0]
  if (!integer) return bound
  if (!bound) return { value: Number.MAX_SAFE_INTEGER, exclusive: false }
  return {
    value: bound.exclusive ? Math.ceil(bound.value) - 1 : Math.floor(bound.value),
    exclusive: false,
  }
}

/** True when every value above `inner` is above `outer` too. */
function lowerWithin(inner: Bound | undefined, outer: Bound | undefined): boolean {
  if (!outer) return true
  if (!inner) return false
  if (inner.value !== outer.value) return inner.value > outer.value
  return inner.exclusive || !outer.exclusive
}

function upperWithin(inner: Bound | undefined, outer: Bound | undefined): boolean {
  if (!outer) return true
  if (!inner) return false
  if (inner.value !== outer.value) return inner.value < outer.value
  return inner.exclusive || !outer.exclusive
}

function isMultiple(a: number, b: number): boolean {
  const q = a / b
  return Math.abs(q - Math.round(q)) < 1e-9
}

export function assignNumber(
  type: 'integer' | 'number',
  from: ValueSchema,
  to: ValueSchema,
  path: string,
): Mismatch[] {
  const integer = type === 'integer'
  const out: Mismatch[] = []
  const inRange =
    lowerWithin(lowerBound(from, integer), lowerBound(to, integer)) &&
    upperWithin(upperBound(from, integer), upperBound(to, integer))
  if (!inRange) {
    const expected = `${integer ? 'integer' : 'number'}${describeRange(to)}`
    const range = describeRange(from)
    const found = `${type}${range || ' (unbounded)'}`
    out.push({
      path,
      expected,
      found,
      message: `expected ${expected}, found ${found}`,
      refinement: true,
    })
  }
  if (to.multipleOf !== undefined) {
    const step = from.multipleOf ?? (integer ? 1 : undefined)
    if (step === undefined || !isMultiple(step, to.multipleOf)) {
      const expected = `multiple of ${to.multipleOf}`
      const found = step === undefined ? `any ${type}` : `multiple of ${step}`
      out.push({
        path,
        expected,
        found,
        message: `expected ${expected}, found ${found}`,
        refinement: true,
      })
    }
  }
  return out
}
