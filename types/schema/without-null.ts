/**
 * The schema of the non-null values of a schema (`T` of `T | null`), or
 * undefined when it admits only null.
 */
import type { JsonValue } from '../json.js'
import { finiteValues, type Rooted, resolve, typesOf, variantsOf } from './rooted.js'

export function withoutNull(node: Rooted): Rooted | undefined {
  const r = resolve(node)
  const types = typesOf(r)
  if (!types.has('null')) return r
  if (types.size === 1) return undefined
  const { schema, root } = r
  const values = finiteValues(schema)
  if (values) {
    const rest = values.filter((v: JsonValue) => v !== null)
    const { const: _c, enum: _e, ...others } = schema
    return { schema: { ...others, enum: rest }, root }
  }
  const variants = variantsOf(r)
  if (variants) {
    const kept = variants.filter((v) => !(typesOf(v).size === 1 && typesOf(v).has('null')))
    if (kept.length === 1) return withoutNull(kept[0] as Rooted)
    const { oneOf: _o, anyOf: _a, ...others } = schema
    return {
      schema: { ...others, anyOf: kept.map((v) => withoutNull(v)?.schema ?? v.schema) },
      root,
    }
  }
  if (schema.type === undefined) return r
  const declared = (Array.isArray(schema.type) ? schema.type : [schema.type]).filter(
    (t) => t !== 'null',
  )
  return { schema: { ...schema, type: declared.length === 1 ? declared[0] : declared }, root }
}
