/**
 * Converts JSON values to the JS values jco lowers into a component, and the
 * values it lifts back to JSON, following the function's WIT types. Built once
 * per task; where a type needs no conversion the codec is the identity.
 * 64-bit integers must be safe JSON integers, `list<u8>` travels as base64,
 * and results that JSON cannot hold (NaN, huge integers) are errors.
 */
import type { JsonValue } from '../../types/index.js'
import { lowerCamelCase } from '../components/wit-schema.js'
import type { WitType } from '../components/wit-types.js'

export type Convert = (value: unknown, path: string) => unknown

/** A value that cannot cross the boundary; `path` says where inside it. */
export class CodecError extends Error {
  readonly path: string
  constructor(path: string, message: string) {
    super(path ? `at ${path}: ${message}` : message)
    this.name = 'CodecError'
    this.path = path
  }
}

const identity: Convert = (v) => v

function mapArray(convert: Convert): Convert {
  return (v, path) => (v as unknown[]).map((item, i) => convert(item, `${path}/${i}`))
}

function recordCodec(fields: { key: string; convert: Convert; dropUndefined: boolean }[]): Convert {
  return (v, path) => {
    const source = v as Record<string, unknown>
    const out: Record<string, unknown> = {}
    for (const f of fields) {
      const value = source[f.key]
      if (value === undefined && f.dropUndefined) continue
      out[f.key] = f.convert(value, `${path}/${f.key}`)
    }
    return out
  }
}

/** JSON → the JS value jco lowers for `type`. */
export function toGuest(type: WitType): Convert {
  switch (type.kind) {
    case 'u64':
    case 's64':
      return (v, path) => {
        if (!Number.isSafeInteger(v))
          throw new CodecError(
            path,
            `${String(v)} is beyond 2^53 and cannot be passed exactly as a JSON number`,
          )
        return v
      }
    case 'list': {
      if (type.element.kind === 'u8' && type.length === undefined) {
        return (v) => Uint8Array.from(atob(v as string), (c) => c.charCodeAt(0))
      }
      const element = toGuest(type.element)
      return element === identity ? identity : mapArray(element)
    }
    case 'tuple': {
      const items = type.types.map(toGuest)
      if (items.every((c) => c === identity)) return identity
      return (v, path) =>
        (v as unknown[]).map((item, i) => (items[i] ?? identity)(item, `${path}/${i}`))
    }
    case 'record': {
      const fields = type.fields.map((f) => ({
        key: lowerCamelCase(f.name),
        convert: toGuest(f.type),
        dropUndefined: true,
      }))
      return fields.every((f) => f.convert === identity) ? identity : recordCodec(fields)
    }
    case 'option': {
      const inner = toGuest(type.type)
      return inner === identity
        ? identity
        : (v, path) => (v === null || v === undefined ? undefined : inner(v, path))
    }
    case 'variant':
      return variantCodec(type.cases.map((c) => [c.name, c.type && toGuest(c.type)]))
    case 'result':
      return variantCodec([
        ['ok', type.ok && toGuest(type.ok)],
        ['err', type.err && toGuest(type.err)],
      ])
    default:
      return identity
  }
}

function variantCodec(cases: [string, Convert | undefined][]): Convert {
  const byTag = new Map(
    cases.filter((c): c is [string, Convert] => c[1] !== undefined && c[1] !== identity),
  )
  if (byTag.size === 0) return identity
  return (v, path) => {
    const { tag, val } = v as { tag: string; val?: unknown }
    const convert = byTag.get(tag)
    return convert ? { tag, val: convert(val, `${path}/val`) } : v
  }
}

function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

/** The JS value jco lifted for `type` → JSON. */
export function fromGuest(type: WitType): Convert {
  switch (type.kind) {
    case 'u64':
    case 's64':
      return (v, path) => {
        const n = Number(v as bigint)
        if (!Number.isSafeInteger(n))
          throw new CodecError(
            path,
            `the component returned ${String(v)}, beyond 2^53: it cannot be a JSON number`,
          )
        return n
      }
    case 'f32':
    case 'f64':
      return (v, path) => {
        if (!Number.isFinite(v))
          throw new CodecError(
            path,
            `the component returned ${String(v)}, which is not a JSON number`,
          )
        return v
      }
    case 'list': {
      if (type.element.kind === 'u8' && type.length === undefined)
        return (v) => toBase64(v as Uint8Array)
      const element = fromGuest(type.element)
      return mapArray(element)
    }
    case 'tuple': {
      const items = type.types.map(fromGuest)
      return (v, path) =>
        (v as unknown[]).map((item, i) => (items[i] ?? identity)(item, `${path}/${i}`))
    }
    case 'record':
      return recordCodec(
        type.fields.map((f) => ({
          key: lowerCamelCase(f.name),
          convert: fromGuest(f.type),
          dropUndefined: f.type.kind === 'option',
        })),
      )
    case 'option': {
      const inner = fromGuest(type.type)
      return (v, path) => (v === undefined || v === null ? null : inner(v, path))
    }
    case 'variant': {
      const cases = new Map(type.cases.map((c) => [c.name, c.type && fromGuest(c.type)]))
      return (v, path) => {
        const { tag, val } = v as { tag: string; val?: unknown }
        const convert = cases.get(tag)
        return convert ? { tag, val: convert(val, `${path}/val`) } : { tag }
      }
    }
    case 'result': {
      const ok = type.ok && fromGuest(type.ok)
      const err = type.err && fromGuest(type.err)
      return (v, path) => {
        const { tag, val } = v as { tag: 'ok' | 'err'; val?: unknown }
        const convert = tag === 'ok' ? ok : err
        return convert ? { tag, val: convert(val, `${path}/val`) } : { tag }
      }
    }
    default:
      return identity
  }
}

/** The JSON form of a whole lifted value (a top-level `undefined` is null). */
export function toJson(convert: Convert, value: unknown): JsonValue {
  const converted = convert(value, '')
  return (converted === undefined ? null : converted) as JsonValue
}
