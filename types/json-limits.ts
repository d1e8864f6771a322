/**
 * Bounds on the values weir accepts, stores and passes between steps: how
 * deeply they nest and how large their JSON text is. Measuring walks a value
 * once and stops as soon as a bound is passed, so measuring a hostile value
 * costs no more than the bound allows — and it never recurses deeper than the
 * depth limit, so it cannot overflow the stack the way `JSON.stringify` can.
 */
import { pointer } from './pointer.js'

export interface JsonLimits {
  /** Deepest nesting of arrays and objects: `[]` and `{}` are depth 1, `[[1]]` depth 2. */
  readonly maxDepth: number
  /** Largest JSON text, in bytes (UTF-16 code units of the text: close to UTF-8 bytes for ASCII). */
  readonly maxBytes: number
}

/** The defaults: 64 levels, 1 MiB. */
export const defaultJsonLimits: JsonLimits = Object.freeze({ maxDepth: 64, maxBytes: 2 ** 20 })

export type JsonMeasure =
  | { readonly ok: true; readonly bytes: number }
  | {
      readonly ok: false
      readonly code: 'value_too_deep'
      /** Where the value nests one level deeper than allowed. */
      readonly pointer: string
      readonly limit: number
      readonly message: string
    }
  | {
      readonly ok: false
      readonly code: 'value_too_large'
      readonly pointer: string
      readonly limit: number
      readonly message: string
    }

function scalarBytes(v: unknown): number {
  switch (typeof v) {
    case 'string':
      return v.length + 2
    case 'number':
    case 'bigint':
      return String(v).length
    case 'boolean':
      return v ? 4 : 5
    default:
      return 4
  }
}

class Exceeded {
  constructor(
    readonly code: 'value_too_deep' | 'value_too_large',
    readonly pointer: string,
  ) {}
}

/**
 * Measures a JSON-like value against the limits, stopping at the first bound
 * passed. Strings count their length plus quotes (escapes are not counted), so
 * the figure is a close lower bound of `JSON.stringify(value).length`.
 */
export function measureJson(value: unknown, limits: JsonLimits): JsonMeasure {
  let bytes = 0
  const path: (string | number)[] = []
  const add = (n: number): void => {
    bytes += n
    if (bytes > limits.maxBytes) throw new Exceeded('value_too_large', pointer('', ...path))
  }
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== 'object') {
      add(scalarBytes(v))
      return
    }
    if (path.length >= limits.maxDepth) throw new Exceeded('value_too_deep', pointer('', ...path))
    if (Array.isArray(v) || ArrayBuffer.isView(v)) {
      const items = v as ArrayLike<unknown>
      add(2 + Math.max(0, items.length - 1))
      for (let i = 0; i < items.length; i++) {
        path.push(i)
        visit(items[i])
        path.pop()
      }
      return
    }
    const entries = v instanceof Map ? [...v.entries()] : Object.entries(v)
    add(2 + Math.max(0, entries.length - 1))
    for (const [key, item] of entries) {
      add(String(key).length + 3)
      path.push(String(key))
      visit(item)
      path.pop()
    }
  }
  try {
    visit(value)
    return { ok: true, bytes }
  } catch (error) {
    if (!(error instanceof Exceeded)) throw error
    return error.code === 'value_too_deep'
      ? {
          ok: false,
          code: error.code,
          pointer: error.pointer,
          limit: limits.maxDepth,
          message: `nests deeper than the limit of ${limits.maxDepth} levels`,
        }
      : {
          ok: false,
          code: error.code,
          pointer: error.pointer,
          limit: limits.maxBytes,
          message: `is larger than the limit of ${limits.maxBytes} bytes as JSON`,
        }
  }
}
