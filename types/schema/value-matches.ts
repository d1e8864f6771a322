/**
 * Whether one JSON value is valid under a value schema. The compatibility
 * relation uses it for finite sources (`const`, `enum`): each listed value must
 * be valid at the target. It follows the JSON Schema semantics of the keywords
 * weir admits; `format` is an annotation, as it is for the runtime validator.
 */
import type { JsonValue } from '../json.js'
import { finiteValues, jsonTypeOf, type Rooted, resolve, typesOf, variantsOf } from './rooted.js'

export function deepEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i] as JsonValue))
  }
  const ka = Object.keys(a)
  const bo = b as Record<string, JsonValue>
  const ao = a as Record<string, JsonValue>
  return (
    ka.length === Object.keys(bo).length &&
    ka.every((k) => k in bo && deepEqual(ao[k] as JsonValue, bo[k] as JsonValue))
  )
}

export function valueMatches(value: JsonValue, node: Rooted): boolean {
  const r = resolve(node)
  const { schema } = r
  const variants = variantsOf(r)
  if (variants) {
    const count = variants.filter((v) => valueMatches(value, v)).length
    return schema.oneOf ? count === 1 : count > 0
  }
  const values = finiteValues(schema)
  if (values && !values.some((v) => deepEqual(v, value))) return false
  const type = jsonTypeOf(value)
  if (schema.type !== undefined && !typesOf(r).has(type)) return false
  switch (type) {
    case 'integer':
    case 'number':
      return numberMatches(value as number, r)
    case 'string':
      return stringMatches(value as string, r)
    case 'array':
      return arrayMatches(value as JsonValue[], r)
    case 'object':
      return objectMatches(value as Record<string, JsonValue>, r)
    default:
      return true
  }
}

function numberMatches(n: number, { schema }: Rooted): boolean {
  if (schema.minimum !== undefined && n < schema.minimum) return false
  if (schema.maximum !== undefined && n > schema.maximum) return false
  if (schema.exclusiveMinimum !== undefined && n <= schema.exclusiveMinimum) return false
  if (schema.exclusiveMaximum !== undefined && n >= schema.exclusiveMaximum) return false
  if (schema.multipleOf !== undefined && !Number.isInteger(n / schema.multipleOf)) return false
  return true
}

function stringMatches(s: string, { schema }: Rooted): boolean {
  const length = [...s].length
  if (schema.minLength !== undefined && length < schema.minLength) return false
  if (schema.maxLength !== undefined && length > schema.maxLength) return false
  if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(s)) return false
  return true
}

function arrayMatches(items: JsonValue[], { schema, root }: Rooted): boolean {
  if (schema.minItems !== undefined && items.length < schema.minItems) return false
  if (schema.maxItems !== undefined && items.length > schema.maxItems) return false
  const prefix = schema.prefixItems ?? []
  for (const [i, item] of items.entries()) {
    const itemSchema = prefix[i] ?? schema.items
    if (itemSchema && !valueMatches(item, { schema: itemSchema, root })) return false
  }
  if (schema.uniqueItems) {
    for (let i = 0; i < items.length; i++)
      for (let j = i + 1; j < items.length; j++)
        if (deepEqual(items[i] as JsonValue, items[j] as JsonValue)) return false
  }
  return true
}

function objectMatches(obj: Record<string, JsonValue>, { schema, root }: Rooted): boolean {
  for (const key of schema.required ?? []) if (!(key in obj)) return false
  const keys = Object.keys(obj)
  if (schema.minProperties !== undefined && keys.length < schema.minProperties) return false
  if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) return false
  for (const key of keys) {
    const property = schema.properties?.[key]
    const value = obj[key] as JsonValue
    if (property) {
      if (!valueMatches(value, { schema: property, root })) return false
    } else if (schema.additionalProperties === false) {
      return false
    } else if (typeof schema.additionalProperties === 'object') {
      if (!valueMatches(value, { schema: schema.additionalProperties, root })) return false
    }
  }
  return true
}
