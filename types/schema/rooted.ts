/**
 * A value schema together with the root document its `$ref`s point into, and
 * the few structural questions every schema consumer asks (resolve a `$ref`,
 * which JSON types a schema admits, its union variants).
 */

import type { TypeName, ValueSchema } from '../generated/value-schema.js'
import type { JsonValue } from '../json.js'

export type { TypeName, ValueSchema }

/** A schema and the root whose `$defs` its `$ref`s resolve against. */
export interface Rooted {
  readonly schema: ValueSchema
  readonly root: ValueSchema
}

export const anySchema: ValueSchema = Object.freeze({})

export function rooted(schema: ValueSchema, root: ValueSchema = schema): Rooted {
  return { schema, root }
}

const annotationKeys = new Set([
  '$schema',
  '$id',
  '$comment',
  '$defs',
  'title',
  'description',
  'default',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
  'format',
  'contentEncoding',
])

/** Follows `$ref` (to `#/$defs/name`) until a schema without one; siblings of `$ref` are merged over the target. */
export function resolve(node: Rooted): Rooted {
  let schema = node.schema
  for (let hops = 0; schema.$ref !== undefined; hops++) {
    if (hops > 64) throw new Error(`$ref cycle through ${schema.$ref}`)
    const target = lookupRef(node.root, schema.$ref)
    if (target === undefined) throw new Error(`unresolved $ref ${schema.$ref}`)
    const { $ref: _ref, ...siblings } = schema
    schema = Object.keys(siblings).length === 0 ? target : { ...target, ...siblings }
  }
  return schema === node.schema ? node : { schema, root: node.root }
}

/** The schema a local `$ref` names, or undefined when it names nothing. */
export function lookupRef(root: ValueSchema, ref: string): ValueSchema | undefined {
  const match = /^#\/\$defs\/([^/]+)$/.exec(ref)
  if (!match?.[1]) return undefined
  const name = match[1].replaceAll('~1', '/').replaceAll('~0', '~')
  const defs = root.$defs
  return defs && Object.hasOwn(defs, name) ? defs[name] : undefined
}

/** True when a schema constrains nothing: every JSON value is valid. */
export function isUnconstrained(schema: ValueSchema): boolean {
  for (const key of Object.keys(schema)) if (!annotationKeys.has(key)) return false
  return true
}

/** The union variants of a schema (`oneOf` / `anyOf`), each merged with the schema's other keywords. */
export function variantsOf(unresolved: Rooted): Rooted[] | undefined {
  const node = resolve(unresolved)
  const { schema } = node
  const list = schema.oneOf ?? schema.anyOf
  if (list === undefined) return undefined
  const { oneOf: _o, anyOf: _a, ...rest } = schema
  const siblings = Object.keys(rest).filter((k) => !annotationKeys.has(k))
  return list.map((variant) => {
    const resolved = resolve({ schema: variant, root: node.root })
    if (siblings.length === 0) return resolved
    return { schema: { ...rest, ...resolved.schema }, root: node.root }
  })
}

const allTypes: readonly TypeName[] = [
  'null',
  'boolean',
  'integer',
  'number',
  'string',
  'array',
  'object',
]

/** The JSON type of a value, as JSON Schema names it (integers are `integer`). */
export function jsonTypeOf(value: JsonValue): TypeName {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  switch (typeof value) {
    case 'boolean':
      return 'boolean'
    case 'number':
      return Number.isInteger(value) ? 'integer' : 'number'
    case 'string':
      return 'string'
    default:
      return 'object'
  }
}

/**
 * The JSON types a (resolved) schema admits; `integer` is listed apart from
 * `number` (a schema of type number admits both).
 */
export function typesOf(unresolved: Rooted): Set<TypeName> {
  const node = resolve(unresolved)
  const { schema } = node
  const variants = variantsOf(node)
  if (variants) {
    const out = new Set<TypeName>()
    for (const v of variants) for (const t of typesOf(resolve(v))) out.add(t)
    return out
  }
  const values = finiteValues(schema)
  if (values) return new Set(values.map(jsonTypeOf))
  if (schema.type === undefined) return new Set(allTypes)
  const declared = Array.isArray(schema.type) ? schema.type : [schema.type]
  const out = new Set<TypeName>(declared)
  if (out.has('number')) out.add('integer')
  return out
}

/** The values of `enum` / `const`, or undefined when the schema admits infinitely many. */
export function finiteValues(schema: ValueSchema): JsonValue[] | undefined {
  if ('const' in schema) return [schema.const as JsonValue]
  if (schema.enum) return schema.enum as JsonValue[]
  return undefined
}

/** True when the schema admits `null` besides other types. */
export function isNullable(node: Rooted): boolean {
  const types = typesOf(node)
  return types.has('null') && types.size > 1
}
