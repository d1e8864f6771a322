/**
 * The schema of the value at a path of property names inside a value of a
 * given schema, and whether that value may be absent on the way (an optional
 * property, a map key, or a null object met before the end).
 */
import { anySchema, isUnconstrained, type Rooted, resolve, typesOf, variantsOf } from './rooted.js'
import { withoutNull } from './without-null.js'

export interface AtPath {
  readonly node: Rooted
  readonly mayBeAbsent: boolean
  /** True when the path leaves what the schema describes (a value of any shape on the way). */
  readonly unknown: boolean
}

export function schemaAtPath(start: Rooted, fields: readonly string[]): AtPath {
  let node = start
  let mayBeAbsent = false
  let unknown = isUnconstrained(resolve(start).schema)
  for (const field of fields) {
    const next = propertyOf(node, field)
    node = next.node
    mayBeAbsent ||= next.mayBeAbsent
    unknown ||= isUnconstrained(resolve(node).schema)
  }
  return { node, mayBeAbsent, unknown }
}

function propertyOf(node: Rooted, field: string): Omit<AtPath, 'unknown'> {
  const r = resolve(node)
  const nullable = typesOf(r).has('null')
  const nonNull = withoutNull(r)
  if (!nonNull) return { node: { schema: anySchema, root: r.root }, mayBeAbsent: true }
  const variants = variantsOf(nonNull)
  if (variants) {
    const declaring = variants.filter((v) => resolve(v).schema.properties?.[field] !== undefined)
    const found = (declaring.length > 0 ? declaring : variants).map((v) => propertyOf(v, field))
    const anyAbsent = declaring.length < variants.length || found.some((f) => f.mayBeAbsent)
    const first = found[0]
    const merged =
      found.length === 1 && first
        ? first.node
        : { schema: { anyOf: found.map((f) => f.node.schema) }, root: r.root }
    return { node: merged, mayBeAbsent: nullable || anyAbsent }
  }
  const { schema, root } = resolve(nonNull)
  const property = schema.properties?.[field]
  if (property) {
    const required = schema.required?.includes(field) ?? false
    return { node: { schema: property, root }, mayBeAbsent: nullable || !required }
  }
  const extra =
    typeof schema.additionalProperties === 'object' ? schema.additionalProperties : anySchema
  return { node: { schema: extra, root }, mayBeAbsent: true }
}
