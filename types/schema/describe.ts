/**
 * Short human descriptions of schemas ("integer in [0, 255]", "array of string",
 * `"EU" | "US"`), used as the `expected` and `found` of every mismatch.
 */
import type { JsonValue } from '../json.js'
import {
  finiteValues,
  isUnconstrained,
  type Rooted,
  resolve,
  type TypeName,
  type ValueSchema,
  variantsOf,
} from './rooted.js'

const maxListed = 6

export function describeValue(value: JsonValue): string {
  const text = JSON.stringify(value)
  return text.length > 40 ? `${text.slice(0, 37)}…` : text
}

export function describe(node: Rooted, depth = 0): string {
  const r = resolve(node)
  const { schema } = r
  if (isUnconstrained(schema)) return 'any value'
  const values = finiteValues(schema)
  if (values) {
    const shown = values.slice(0, maxListed).map(describeValue).join(' | ')
    return values.length > maxListed ? `${shown} | …` : shown
  }
  const variants = variantsOf(r)
  if (variants) {
    if (depth > 1) return 'one of several shapes'
    return variants.map((v) => describe(v, depth + 1)).join(' | ')
  }
  if (schema.type === undefined) return 'any value'
  const types = Array.isArray(schema.type) ? schema.type : [schema.type]
  return types.map((t) => describeType(t, r, depth)).join(' or ')
}

function describeType(type: TypeName, node: Rooted, depth: number): string {
  const { schema, root } = node
  switch (type) {
    case 'integer':
    case 'number':
      return type + describeRange(schema)
    case 'string':
      return `string${describeString(schema)}`
    case 'array': {
      if (schema.prefixItems) {
        if (depth > 1) return 'tuple'
        return `[${schema.prefixItems.map((s) => describe({ schema: s, root }, depth + 1)).join(', ')}]`
      }
      if (!schema.items || depth > 1) return 'array'
      return `array of ${describe({ schema: schema.items, root }, depth + 1)}`
    }
    case 'object': {
      const properties = schema.properties ?? {}
      const names = Object.keys(properties)
      const constants = names.filter((n) => properties[n] && 'const' in (properties[n] as object))
      if (names.length === 0 || (depth > 0 && constants.length === 0)) return 'object'
      const required = new Set(schema.required ?? [])
      const shown = names.slice(0, maxListed).map((n) => {
        const constant = constants.includes(n)
          ? `: ${describeValue(properties[n]?.const as JsonValue)}`
          : ''
        return `${required.has(n) || constant ? n : `${n}?`}${constant}`
      })
      return `object { ${shown.join(', ')}${names.length > maxListed ? ', …' : ''} }`
    }
    default:
      return type
  }
}

/** The numeric bounds of a schema as text: ` in [0, 255]`, ` ≥ 1`, or nothing. */
export function describeRange(schema: ValueSchema): string {
  const lo = schema.minimum ?? schema.exclusiveMinimum
  const hi = schema.maximum ?? schema.exclusiveMaximum
  const open = schema.minimum === undefined && schema.exclusiveMinimum !== undefined ? '(' : '['
  const close = schema.maximum === undefined && schema.exclusiveMaximum !== undefined ? ')' : ']'
  if (lo !== undefined && hi !== undefined) return ` in ${open}${lo}, ${hi}${close}`
  if (lo !== undefined) return open === '[' ? ` ≥ ${lo}` : ` > ${lo}`
  if (hi !== undefined) return close === ']' ? ` ≤ ${hi}` : ` < ${hi}`
  return ''
}

function describeString(schema: ValueSchema): string {
  let out = ''
  if (schema.pattern !== undefined) out += ` matching /${schema.pattern}/`
  if (schema.minLength !== undefined || schema.maxLength !== undefined) {
    out += ` of length ${schema.minLength ?? 0}..${schema.maxLength ?? '∞'}`
  }
  return out
}
