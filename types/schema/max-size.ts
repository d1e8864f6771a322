/**
 * The most bytes a value of a schema can take as JSON, when the schema
 * bounds it (Infinity when it does not: a string without `maxLength`, an
 * array without `maxItems`, an object open to more properties). An upper
 * bound, not exact: a string's characters count as the longest escape.
 */
import type { ValueSchema } from '../generated/value-schema.js'
import { type Rooted, resolve } from './rooted.js'

/** JSON of the longest JavaScript number (`-1.7976931348623157e+308`). */
const numberBytes = 24
/** A character written as JSON at worst: `\uXXXX`. */
const charBytes = 6

const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value))

export function maxJsonBytes(node: Rooted, depth = 0): number {
  if (depth > 32) return Number.POSITIVE_INFINITY
  const { schema, root } = resolve(node)
  const inner = (s: ValueSchema) => maxJsonBytes({ schema: s, root }, depth + 1)
  if (schema.const !== undefined) return jsonBytes(schema.const)
  if (schema.enum) return Math.max(...schema.enum.map(jsonBytes))
  const variants = schema.anyOf ?? schema.oneOf
  if (variants) return Math.max(...variants.map(inner))
  if (schema.type === undefined) return Number.POSITIVE_INFINITY
  return Math.max(...[schema.type].flat().map((type) => typeBytes(schema, type, inner)))
}

function typeBytes(
  schema: ValueSchema,
  type: string,
  inner: (schema: ValueSchema) => number,
): number {
  switch (type) {
    case 'null':
      return 4
    case 'boolean':
      return 5
    case 'integer':
    case 'number':
      return numberBytes
    case 'string':
      return schema.maxLength === undefined
        ? Number.POSITIVE_INFINITY
        : 2 + schema.maxLength * charBytes
    case 'array': {
      const items =
        typeof schema.items === 'object' ? inner(schema.items) : Number.POSITIVE_INFINITY
      return schema.maxItems === undefined
        ? Number.POSITIVE_INFINITY
        : 2 + schema.maxItems * (items + 1)
    }
    case 'object': {
      if (schema.additionalProperties !== false) return Number.POSITIVE_INFINITY
      let total = 2
      for (const [name, property] of Object.entries(schema.properties ?? {}))
        total += jsonBytes(name) + 2 + (property ? inner(property) : Number.POSITIVE_INFINITY)
      return total
    }
    default:
      return Number.POSITIVE_INFINITY
  }
}
