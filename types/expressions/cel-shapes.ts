/**
 * Maps value schemas to CEL types, and JSON values to the CEL values of those
 * types. Both come from one derivation so they cannot drift apart: integers are
 * CEL `int` (BigInt at run time), numbers `double`, objects with declared
 * properties become message types (so field access is checked), maps and lists
 * keep their element types, and what has no single CEL type is `dyn`.
 *
 * A nullable property is typed as its non-null type and a null value is left
 * out, so `has(x.p)` is false both when `p` is absent and when it is null.
 */
import type { Environment } from '@marcbachmann/cel-js'
import type { JsonValue } from '../json.js'
import {
  finiteValues,
  isUnconstrained,
  jsonTypeOf,
  type Rooted,
  resolve,
  type TypeName,
  typesOf,
  variantsOf,
} from '../schema/rooted.js'
import { withoutNull } from '../schema/without-null.js'
import { plainKeys } from './plain-keys.js'

export type ToCel = (value: JsonValue) => unknown

export interface CelShape {
  /** The CEL type as cel-js spells it: `int`, `list<string>`, `map<string, dyn>`, a message name, `dyn`. */
  readonly type: string
  readonly toCel: ToCel
}

export interface MessageField {
  readonly required: boolean
  readonly schema: Rooted
  shape: CelShape
}

export interface MessageInfo {
  readonly name: string
  /** The schema of the object as CEL sees it (null properties left out). */
  readonly schema: Rooted
  readonly fields: Map<string, MessageField>
}

const identity: ToCel = (v) => v
const dyn: CelShape = { type: 'dyn', toCel: plainKeys }
const toInt: ToCel = (v) => BigInt(v as number)

const scalarShapes: Partial<Record<TypeName, CelShape>> = {
  boolean: { type: 'bool', toCel: identity },
  integer: { type: 'int', toCel: toInt },
  number: { type: 'double', toCel: identity },
  string: { type: 'string', toCel: identity },
}

/** Derives CEL shapes of schemas and registers the message types they need in one environment. */
export class CelShapes {
  readonly messages = new Map<string, MessageInfo>()
  readonly #bySchema = new WeakMap<object, CelShape>()
  readonly #env: Environment

  constructor(env: Environment) {
    this.#env = env
  }

  /** The shape of a value that may be null or anything the schema allows (variables, list items). */
  shapeOf(node: Rooted, name: string): CelShape {
    const r = resolve(node)
    const types = typesOf(r)
    if (types.has('null')) return types.size === 1 ? dyn : this.#nullable(r, name)
    return this.#shapeOfNonNull(r, name)
  }

  /** The shape of a property: null values are left out, so the non-null type is used. */
  fieldShapeOf(node: Rooted, name: string): CelShape {
    const nonNull = withoutNull(resolve(node))
    return nonNull ? this.#shapeOfNonNull(resolve(nonNull), name) : dyn
  }

  #nullable(node: Rooted, name: string): CelShape {
    const inner = this.fieldShapeOf(node, name)
    return inner.type === 'dyn'
      ? dyn
      : { type: 'dyn', toCel: (v) => (v === null ? null : inner.toCel(v)) }
  }

  #shapeOfNonNull(node: Rooted, name: string): CelShape {
    const cached = this.#bySchema.get(node.schema)
    if (cached) return cached
    const shape = this.#derive(node, name)
    this.#bySchema.set(node.schema, shape)
    return shape
  }

  #derive(node: Rooted, name: string): CelShape {
    if (isUnconstrained(node.schema)) return dyn
    const values = finiteValues(node.schema)
    if (values) return finiteShape(values)
    const variants = variantsOf(node)
    if (variants) return this.#unionShape(node, variants, name)
    const types = [...typesOf(node)].filter((t) => t !== 'integer' || !typesOf(node).has('number'))
    if (types.length !== 1) return dyn
    const type = types[0] as TypeName
    const scalar = scalarShapes[type]
    if (scalar) return scalar
    if (type === 'array') return this.#listShape(node, name)
    if (type === 'object') return this.#objectShape(node, name)
    return dyn
  }

  #listShape(node: Rooted, name: string): CelShape {
    const { schema, root } = node
    const elements = [...(schema.prefixItems ?? []), ...(schema.items ? [schema.items] : [])]
    const shapes = elements.map((s, i) =>
      this.shapeOf({ schema: s, root }, `${name}.item${i || ''}`),
    )
    const first = shapes[0]
    if (!first || shapes.some((s) => s.type !== first.type))
      return { type: 'list<dyn>', toCel: plainKeys }
    const convert = first.toCel
    if (convert === identity) return { type: `list<${first.type}>`, toCel: identity }
    return { type: `list<${first.type}>`, toCel: (v) => (v as JsonValue[]).map(convert) }
  }

  #objectShape(node: Rooted, name: string): CelShape {
    const { schema, root } = node
    if (schema.properties && Object.keys(schema.properties).length > 0) {
      const required = new Set(schema.required ?? [])
      const fields = Object.entries(schema.properties).flatMap(([key, s]) =>
        s ? [{ key, schema: { schema: s, root }, required: required.has(key) }] : [],
      )
      return this.#message(node, name, fields)
    }
    if (typeof schema.additionalProperties === 'object') {
      const value = this.shapeOf({ schema: schema.additionalProperties, root }, `${name}.value`)
      const convert = value.toCel
      return {
        type: `map<string, ${value.type}>`,
        toCel:
          convert === identity
            ? plainKeys
            : (v) => mapValues(v as Record<string, JsonValue>, convert),
      }
    }
    return { type: 'map<string, dyn>', toCel: plainKeys }
  }

  /** Objects of a union become one message whose fields are the union of the variants' fields. */
  #unionShape(node: Rooted, variants: Rooted[], name: string): CelShape {
    const nonNull = variants
      .map(resolve)
      .filter((v) => !(typesOf(v).size === 1 && typesOf(v).has('null')))
    const allObjects = nonNull.every((v) => {
      const t = typesOf(v)
      return t.size === 1 && t.has('object') && v.schema.properties !== undefined
    })
    if (!allObjects) {
      const shapes = nonNull.map((v, i) => this.#shapeOfNonNull(v, `${name}.${i}`))
      const first = shapes[0]
      return first && shapes.every((s) => s.type === first.type) && first.type !== 'dyn'
        ? first
        : dyn
    }
    const byKey = new Map<string, { schemas: Rooted[]; requiredIn: number }>()
    for (const v of nonNull) {
      const required = new Set(v.schema.required ?? [])
      for (const [key, s] of Object.entries(v.schema.properties ?? {})) {
        if (!s) continue
        const entry = byKey.get(key) ?? { schemas: [], requiredIn: 0 }
        entry.schemas.push({ schema: s, root: v.root })
        if (required.has(key)) entry.requiredIn++
        byKey.set(key, entry)
      }
    }
    const fields = [...byKey].map(([key, { schemas, requiredIn }]) => ({
      key,
      schema:
        schemas.length === 1
          ? (schemas[0] as Rooted)
          : { schema: { anyOf: schemas.map((s) => s.schema) }, root: node.root },
      required: requiredIn === nonNull.length,
    }))
    return this.#message(node, name, fields)
  }

  #message(
    node: Rooted,
    wanted: string,
    fieldList: { key: string; schema: Rooted; required: boolean }[],
  ): CelShape {
    const name = this.#uniqueName(wanted)
    const fields = new Map<string, MessageField>()
    const Ctor = { [name]: class {} }[name] as new () => Record<string, unknown>
    const shape: CelShape = {
      type: name,
      toCel: (v) => {
        const out = new Ctor()
        for (const [key, value] of Object.entries(v as Record<string, JsonValue>)) {
          if (value === null) continue
          const field = fields.get(key)
          // An undeclared key cannot be read from CEL; `constructor` would hide the record's type.
          if (!field && key === 'constructor') continue
          const converted = field ? field.shape.toCel(value) : value
          if (key === '__proto__')
            Object.defineProperty(out, key, { value: converted, enumerable: true })
          else out[key] = converted
        }
        return out
      },
    }
    this.#bySchema.set(node.schema, shape)
    this.messages.set(name, { name, schema: node, fields })
    for (const f of fieldList) {
      fields.set(f.key, { required: f.required, schema: f.schema, shape: dyn })
    }
    for (const f of fieldList) {
      const field = fields.get(f.key) as MessageField
      field.shape = this.fieldShapeOf(f.schema, `${name}.${f.key}`)
    }
    const fieldTypes = Object.fromEntries([...fields].map(([k, f]) => [k, f.shape.type]))
    this.#env.registerType(name, { ctor: Ctor, fields: fieldTypes })
    return shape
  }

  #uniqueName(wanted: string): string {
    if (!this.messages.has(wanted)) return wanted
    for (let i = 2; ; i++) if (!this.messages.has(`${wanted}~${i}`)) return `${wanted}~${i}`
  }
}

function mapValues(obj: Record<string, JsonValue>, convert: ToCel): unknown {
  const out: Record<string, unknown> = Object.create(null)
  for (const [k, v] of Object.entries(obj)) out[k] = convert(v)
  return plainKeys(out)
}

function finiteShape(values: JsonValue[]): CelShape {
  const types = new Set(values.map(jsonTypeOf))
  if (types.size === 1 && types.has('integer')) return scalarShapes.integer as CelShape
  if ([...types].every((t) => t === 'integer' || t === 'number'))
    return scalarShapes.number as CelShape
  if (types.size === 1 && types.has('string')) return scalarShapes.string as CelShape
  if (types.size === 1 && types.has('boolean')) return scalarShapes.boolean as CelShape
  return dyn
}
