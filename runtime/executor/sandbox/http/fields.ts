/**
 * `wasi:http/types#fields`: headers and trailers as ordered name/value pairs
 * (names compared case-insensitively), immutable once a request or response
 * owns them. Names must be tokens, values may not hold CR, LF or NUL, and the
 * headers the host owns (hop-by-hop ones and `host`) are forbidden.
 */

type HeaderError = { tag: 'invalid-syntax' } | { tag: 'forbidden' } | { tag: 'immutable' }

const tokenPattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const forbidden = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'host',
  'http2-settings',
])

function check(name: string, value: Uint8Array | undefined): void {
  if (!tokenPattern.test(name)) throw { tag: 'invalid-syntax' } satisfies HeaderError
  if (value?.some((b) => b === 10 || b === 13 || b === 0))
    throw { tag: 'invalid-syntax' } satisfies HeaderError
  if (forbidden.has(name.toLowerCase())) throw { tag: 'forbidden' } satisfies HeaderError
}

export class Fields {
  #entries: [string, Uint8Array][] = []
  #immutable = false

  static fromList(entries: [string, Uint8Array][]): Fields {
    const fields = new Fields()
    for (const [name, value] of entries) fields.append(name, value)
    return fields
  }

  /** Fields the host built (response headers): already checked, and immutable. */
  static frozen(entries: [string, Uint8Array][]): Fields {
    const fields = new Fields()
    fields.#entries = entries
    fields.#immutable = true
    return fields
  }

  /** Makes these fields immutable (a request or response now owns them). */
  static freeze(fields: Fields): Fields {
    fields.#immutable = true
    return fields
  }

  #mutable(): void {
    if (this.#immutable) throw { tag: 'immutable' } satisfies HeaderError
  }

  get(name: string): Uint8Array[] {
    const lower = name.toLowerCase()
    return this.#entries.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v)
  }

  has(name: string): boolean {
    const lower = name.toLowerCase()
    return this.#entries.some(([n]) => n.toLowerCase() === lower)
  }

  set(name: string, values: Uint8Array[]): void {
    this.#mutable()
    check(name, undefined)
    for (const value of values) check(name, value)
    const lower = name.toLowerCase()
    this.#entries = this.#entries.filter(([n]) => n.toLowerCase() !== lower)
    for (const value of values) this.#entries.push([name, value.slice()])
  }

  delete(name: string): void {
    this.#mutable()
    check(name, undefined)
    const lower = name.toLowerCase()
    this.#entries = this.#entries.filter(([n]) => n.toLowerCase() !== lower)
  }

  append(name: string, value: Uint8Array): void {
    this.#mutable()
    check(name, value)
    this.#entries.push([name, value.slice()])
  }

  entries(): [string, Uint8Array][] {
    return this.#entries.map(([n, v]) => [n, v])
  }

  clone(): Fields {
    const fields = new Fields()
    fields.#entries = this.entries()
    return fields
  }
}
