/**
 * Masking secret values: every occurrence of a value a task was given — as
 * is, base64 (standard and URL alphabet, at any of the three byte
 * alignments inside a longer encoding) and URL-encoded — becomes `***`, in
 * text (a log) and in every string of a JSON value (an output), keys too.
 */
import type { JsonValue } from '../../types/index.js'

export const mask = '***'

/** The forms of a secret to look for, longest first (so a longer form is masked whole). */
export function secretForms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8')
  const forms = new Set<string>([
    value,
    encodeURIComponent(value),
    encodeURIComponent(value).replaceAll('%20', '+'),
  ])
  for (let offset = 0; offset < 3; offset++) {
    const shifted = Buffer.concat([Buffer.alloc(offset), bytes])
    const first = Math.ceil((offset * 8) / 6)
    const end = Math.floor(((offset + bytes.length) * 8) / 6)
    for (const encoding of ['base64', 'base64url'] as const) {
      const part = shifted.toString(encoding).slice(first, end)
      if (part.length >= 6) forms.add(part)
    }
  }
  return [...forms].filter((f) => f.length > 0).sort((a, b) => b.length - a.length)
}

/** A masker for a set of secret values (none: the identity). */
export class Masker {
  readonly #forms: string[]

  constructor(values: readonly string[]) {
    this.#forms = [...new Set(values.flatMap(secretForms))].sort((a, b) => b.length - a.length)
  }

  get empty(): boolean {
    return this.#forms.length === 0
  }

  text(text: string): string {
    let out = text
    for (const form of this.#forms) if (out.includes(form)) out = out.replaceAll(form, mask)
    return out
  }

  /** The value with every string (and key) masked; the same value when nothing was found. */
  json(value: JsonValue): JsonValue {
    if (this.empty) return value
    if (typeof value === 'string') return this.text(value)
    if (value === null || typeof value !== 'object') return value
    if (Array.isArray(value)) return value.map((v) => this.json(v))
    const out: Record<string, JsonValue> = {}
    for (const [key, item] of Object.entries(value)) {
      Object.defineProperty(out, this.text(key), {
        value: this.json(item),
        enumerable: true,
        writable: true,
        configurable: true,
      })
    }
    return out
  }
}
