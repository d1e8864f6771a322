/**
 * WIT types → JSON Schemas of the JSON values that cross the boundary, following
 * jco's value mapping: record fields and flags in lowerCamelCase, enums as their
 * case names, variants as `{ tag, val }`, option as the value or null (and an
 * optional property in a record), tuples as fixed arrays, 64-bit integers as
 * JSON safe integers. `list<u8>` is a base64 string. Types with no JSON form
 * (resources, streams, futures, error contexts, maps, nested options) are
 * reported with the path where they occur.
 */
import { pointer, type ValueSchema } from '../../types/index.js'
import { formatWitType, type WitType } from './wit-types.js'

export interface UnsupportedType {
  /** Where in the value, as a JSON Pointer (`*` = any element). */
  readonly path: string
  readonly type: string
  readonly reason: string
}

/** jco's field naming: `unit-price` → `unitPrice`, `http-URL` → `httpUrl`. */
export function lowerCamelCase(label: string): string {
  const [first = '', ...rest] = label.split('-')
  return (
    first.toLowerCase() +
    rest.map((w) => (w[0] ?? '').toUpperCase() + w.slice(1).toLowerCase()).join('')
  )
}

const safe = Number.MAX_SAFE_INTEGER
const integerRanges: Record<string, [number, number]> = {
  u8: [0, 255],
  s8: [-128, 127],
  u16: [0, 65535],
  s16: [-32768, 32767],
  u32: [0, 4294967295],
  s32: [-2147483648, 2147483647],
  u64: [0, safe],
  s64: [-safe, safe],
}

/**
 * The direction values travel and what deriving a schema noticed: types with
 * no JSON form, and `list<u8>` positions (base64 strings). Into the component
 * an absent `option` field may also be null; out of it, it is left out.
 */
export interface Findings {
  readonly direction: 'in' | 'out'
  readonly unsupported: UnsupportedType[]
  readonly bytes: string[]
}

/** The range of a WIT integer type (`u8` … `s64`). */
export function integerRange(name: string): [number, number] {
  return integerRanges[name] ?? [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]
}

export function witToSchema(type: WitType, path: string, findings: Findings): ValueSchema {
  const report = (reason: string): ValueSchema => {
    findings.unsupported.push({ path, type: formatWitType(type), reason })
    return {}
  }
  const inner = (t: WitType, at: string) => witToSchema(t, at, findings)
  switch (type.kind) {
    case 'bool':
      return { type: 'boolean' }
    case 'string':
      return { type: 'string' }
    case 'char':
      return { type: 'string', minLength: 1, maxLength: 1 }
    case 'f32':
    case 'f64':
      return { type: 'number' }
    case 'u8':
    case 's8':
    case 'u16':
    case 's16':
    case 'u32':
    case 's32':
    case 'u64':
    case 's64': {
      const [minimum, maximum] = integerRanges[type.kind] as [number, number]
      return { type: 'integer', minimum, maximum }
    }
    case 'record': {
      const properties: Record<string, ValueSchema> = {}
      const required: string[] = []
      for (const field of type.fields) {
        const key = lowerCamelCase(field.name)
        const at = pointer(path, key)
        const absentWhenNone = field.type.kind === 'option' && findings.direction === 'out'
        properties[key] = absentWhenNone
          ? optionInner(field.type, at, findings, report)
          : inner(field.type, at)
        if (field.type.kind !== 'option') required.push(key)
      }
      return { type: 'object', properties, required }
    }
    case 'variant':
      return {
        oneOf: type.cases.map((c) => {
          const properties: Record<string, ValueSchema> = { tag: { const: c.name } }
          if (c.type) properties.val = inner(c.type, pointer(path, 'val'))
          return { type: 'object', properties, required: c.type ? ['tag', 'val'] : ['tag'] }
        }) as [ValueSchema, ...ValueSchema[]],
      }
    case 'enum':
      return { enum: [...type.names] as [string, ...string[]] }
    case 'flags':
      return {
        type: 'object',
        properties: Object.fromEntries(
          type.names.map((n) => [lowerCamelCase(n), { type: 'boolean' }]),
        ),
        additionalProperties: false,
      }
    case 'list': {
      if (type.element.kind === 'u8' && type.length === undefined) {
        findings.bytes.push(path)
        return { type: 'string', contentEncoding: 'base64' }
      }
      const items = inner(type.element, pointer(path, '*'))
      return type.length === undefined
        ? { type: 'array', items }
        : { type: 'array', items, minItems: type.length, maxItems: type.length }
    }
    case 'tuple': {
      const items = type.types.map((t, i) => inner(t, pointer(path, i)))
      const n = items.length
      return {
        type: 'array',
        prefixItems: items as [ValueSchema, ...ValueSchema[]],
        minItems: n,
        maxItems: n,
      }
    }
    case 'option': {
      if (type.type.kind === 'option')
        return report('an option of an option has no unambiguous JSON form')
      return { anyOf: [inner(type.type, path), { type: 'null' }] }
    }
    case 'result': {
      const ok: ValueSchema = {
        type: 'object',
        properties: { tag: { const: 'ok' } },
        required: ['tag'],
      }
      const err: ValueSchema = {
        type: 'object',
        properties: { tag: { const: 'err' } },
        required: ['tag'],
      }
      if (type.ok) addVal(ok, inner(type.ok, pointer(path, 'val')))
      if (type.err) addVal(err, inner(type.err, pointer(path, 'val')))
      return { oneOf: [ok, err] }
    }
    case 'own':
    case 'borrow':
      return report(
        `resource "${type.resource.name}" is a handle, not a value, and cannot be passed as JSON`,
      )
    case 'stream':
    case 'future':
      return report(`a ${type.kind} cannot be passed as JSON`)
    case 'error-context':
      return report('an error-context cannot be passed as JSON')
    case 'map':
      return report('maps are not supported yet')
    default: {
      const never: never = type
      return never
    }
  }
}

/** The schema of `T` for an `option<T>` field read back from the component (none is left out). */
function optionInner(
  type: Extract<WitType, { kind: 'option' }>,
  path: string,
  findings: Findings,
  report: (reason: string) => ValueSchema,
): ValueSchema {
  if (type.type.kind === 'option')
    return report('an option of an option has no unambiguous JSON form')
  return witToSchema(type.type, path, findings)
}

function addVal(schema: ValueSchema, val: ValueSchema): void {
  schema.properties = { ...schema.properties, val }
  schema.required = ['tag', 'val']
}
