/**
 * The way back from CEL to JSON: the JSON value of a CEL result, and the JSON
 * Schema of a CEL type (what the checker compares against a task's input).
 */
import { type JsonValue, setOwn } from '../json.js'
import type { SchemaComposer } from '../schema/compose.js'
import { typesOf, type ValueSchema } from '../schema/rooted.js'
import { withoutNull } from '../schema/without-null.js'
import type { MessageInfo } from './cel-shapes.js'

/** What the checker reads of a cel-js type declaration. */
export interface CelType {
  readonly kind: string
  readonly name: string
  readonly keyType?: CelType
  readonly valueType?: CelType
}

/** Thrown when a CEL result has no JSON form (bytes, timestamps, huge integers…). */
export class NotJsonError extends Error {}

/** Converts a CEL result to JSON; `undefined` stands for an empty optional (absent). */
export function celToJson(value: unknown): JsonValue | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'bigint':
      if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
        throw new NotJsonError(
          `integer ${value} is beyond ±2^53 and cannot be passed as a JSON number`,
        )
      }
      return Number(value)
    case 'number':
      if (!Number.isFinite(value)) throw new NotJsonError(`${value} is not a JSON number`)
      return value
    case 'undefined':
      return undefined
    case 'object':
      return objectToJson(value)
    default:
      throw new NotJsonError(`a ${typeof value} has no JSON form`)
  }
}

function objectToJson(value: object | null): JsonValue | undefined {
  if (value === null) return null
  if (Array.isArray(value) || value instanceof Set) {
    return [...value].map((v) => celToJson(v) ?? null)
  }
  if (value instanceof Map) {
    const out: Record<string, JsonValue> = {}
    for (const [k, v] of value) {
      const json = celToJson(v)
      if (json !== undefined) setOwn(out, String(k), json)
    }
    return out
  }
  if (value instanceof Uint8Array) throw new NotJsonError('bytes cannot be passed as JSON')
  if (value instanceof Date) return value.toISOString()
  const optional = value as { hasValue?: () => boolean; value?: () => unknown }
  if (typeof optional.hasValue === 'function' && typeof optional.value === 'function') {
    return optional.hasValue() ? celToJson(optional.value()) : undefined
  }
  const out: Record<string, JsonValue> = {}
  for (const [k, v] of Object.entries(value)) {
    const json = celToJson(v)
    if (json !== undefined) setOwn(out, k, json)
  }
  return out
}

/**
 * The JSON Schema of the JSON form of a CEL type, valid under the composer's
 * root; undefined when the type has no JSON form.
 */
export function celTypeToSchema(
  type: CelType,
  messages: Map<string, MessageInfo>,
  composer: SchemaComposer,
): ValueSchema | undefined {
  const inner = (t: CelType | undefined) => (t ? celTypeToSchema(t, messages, composer) : {})
  switch (type.kind) {
    case 'dyn':
    case 'param':
      return {}
    case 'list': {
      const items = inner(type.valueType)
      return items && { type: 'array', items }
    }
    case 'map': {
      const values = inner(type.valueType)
      return values && { type: 'object', additionalProperties: values }
    }
    case 'message': {
      const info = messages.get(type.name)
      return info ? messageSchema(info, composer) : undefined
    }
    case 'optional':
      return inner(type.valueType)
    default:
      return primitiveSchema(type.name)
  }
}

function primitiveSchema(name: string): ValueSchema | undefined {
  switch (name) {
    case 'int':
      return { type: 'integer', minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }
    case 'uint':
      return { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER }
    case 'double':
      return { type: 'number' }
    case 'string':
      return { type: 'string' }
    case 'bool':
      return { type: 'boolean' }
    case 'null':
    case 'null_type':
      return { type: 'null' }
    case 'timestamp':
      return { type: 'string' }
    default:
      return undefined
  }
}

/** A message's object as CEL hands it back: its fields, nulls left out. */
function messageSchema(info: MessageInfo, composer: SchemaComposer): ValueSchema {
  const properties: Record<string, ValueSchema> = {}
  const required: string[] = []
  for (const [key, field] of info.fields) {
    const nonNull = withoutNull(field.schema)
    if (!nonNull) continue
    properties[key] = composer.embed(nonNull)
    if (field.required && !typesOf(field.schema).has('null')) required.push(key)
  }
  return { type: 'object', properties, required }
}
