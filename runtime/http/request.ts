/**
 * Reads a request as a route's spec describes it: parameters parsed (numbers
 * from their text) and validated against their schemas, query parameters the
 * route does not declare refused (a misspelt `?limt=` is not silently
 * ignored), the body parsed as JSON or taken as bytes. Problems are
 * `invalid_request` (400) naming the parameter, or the position in the body
 * where the JSON breaks; a JSON body that nests deeper than the depth limit
 * is `invalid_document` (422) with a pointer to where it does, found on the
 * text before it is parsed.
 */
import type { Context } from 'hono'
import { type JsonValue, pointer, validateValue } from '../../types/index.js'
import { WeirError } from '../errors.js'
import { ParameterError, type ProblemItem } from './problem.js'
import type { ParameterSpec, Route } from './route.js'

function rawParameter(c: Context, spec: ParameterSpec): string | undefined {
  if (spec.in === 'path') return c.req.param(spec.name)
  if (spec.in === 'query') return c.req.query(spec.name)
  return c.req.header(spec.name)
}

function typed(spec: ParameterSpec, raw: string): JsonValue {
  const type = spec.schema.type
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(raw)) return Number(raw)
  return raw
}

/** Query parameters every route takes: `?pretty` indents the JSON answer (hono's prettyJSON). */
export const everyRouteQuery: readonly string[] = ['pretty']

/** A problem for each query parameter the route does not declare, naming those it takes. */
function unknownQueryItems(c: Context, route: Route): ProblemItem[] {
  const declared = (route.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name)
  const known = new Set([...declared, ...everyRouteQuery])
  const takes = declared.length > 0 ? `it takes ${declared.join(', ')}` : 'it takes none'
  return Object.keys(c.req.queries())
    .filter((name) => !known.has(name))
    .map((name) => ({
      parameter: name,
      message: `is not a query parameter of ${route.method.toUpperCase()} ${route.path} (${takes})`,
    }))
}

/**
 * The route's parameters, parsed and checked; every problem (unknown query
 * parameters first) in one 400 that names each parameter.
 */
export function readParameters(c: Context, route: Route): Record<string, JsonValue | undefined> {
  const params: Record<string, JsonValue | undefined> = {}
  const items: ProblemItem[] = unknownQueryItems(c, route)
  for (const spec of route.parameters ?? []) {
    const raw = rawParameter(c, spec)
    if (raw === undefined || raw === '') {
      if (spec.required) items.push({ parameter: spec.name, message: 'is required' })
      continue
    }
    const value = typed(spec, raw)
    const problems = validateValue(spec.schema, value)
    for (const p of problems) items.push({ parameter: spec.name, message: p.message })
    params[spec.name] = value
  }
  if (items.length > 0) throw new ParameterError(items)
  return params
}

type Frame =
  | { readonly kind: 'array'; index: number }
  | { readonly kind: 'object'; key: string; expectKey: boolean }

const quote = 0x22
const backslash = 0x5c

/** The index of the quote that closes the string opened at `open` (the text's end if none does). */
function stringEnd(text: string, open: number): number {
  let at = open
  for (;;) {
    at = text.indexOf('"', at + 1)
    if (at < 0) return text.length
    let escapes = 0
    for (let k = at - 1; text.charCodeAt(k) === backslash; k--) escapes++
    if (escapes % 2 === 0) return at
  }
}

function keyOf(literal: string): string {
  try {
    return String(JSON.parse(literal))
  } catch {
    return literal.slice(1, -1)
  }
}

/**
 * Where a JSON text first nests deeper than `maxDepth` — the pointer to the
 * array or object one level too deep, as `measureJson` names it — or
 * undefined. One pass over the text that keeps at most `maxDepth` levels:
 * V8's `JSON.parse` does not overflow on deep text, but it spends 100 ms and
 * more on a 1 MiB body a million levels deep, and everything after it (ajv,
 * the flow checker, `JSON.stringify`) recurses, so a deep body is refused
 * before it is parsed. Malformed text may be refused for its depth first.
 */
export function tooDeepAt(text: string, maxDepth: number): string | undefined {
  const stack: Frame[] = []
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === quote) {
      const end = stringEnd(text, i)
      const top = stack.at(-1)
      if (top?.kind === 'object' && top.expectKey) {
        top.key = keyOf(text.slice(i, end + 1))
        top.expectKey = false
      }
      i = end
    } else if (c === 0x5b || c === 0x7b) {
      if (stack.length >= maxDepth)
        return pointer('', ...stack.map((f) => (f.kind === 'array' ? f.index : f.key)))
      stack.push(
        c === 0x5b ? { kind: 'array', index: 0 } : { kind: 'object', key: '', expectKey: true },
      )
    } else if (c === 0x5d || c === 0x7d) {
      stack.pop()
    } else if (c === 0x2c) {
      const top = stack.at(-1)
      if (top?.kind === 'array') top.index++
      else if (top) top.expectKey = true
    }
  }
  return undefined
}

/** The 422 for a body that nests deeper than the limit, naming the limit and where. */
function tooDeep(at: string, maxDepth: number): WeirError {
  const message = `nests deeper than the limit of ${maxDepth} levels`
  return new WeirError('invalid_document', `the body ${message} at ${at || '/'} (WEIR_MAX_DEPTH)`, [
    { pointer: at, code: 'value_too_deep', message },
  ])
}

async function bodyBytes(c: Context): Promise<Uint8Array> {
  try {
    return new Uint8Array(await c.req.arrayBuffer())
  } catch (error) {
    // The client went away (or the server cut it off) mid-body: nobody reads this answer.
    throw new WeirError(
      'invalid_request',
      `the body could not be read: ${(error as Error).message}`,
    )
  }
}

/**
 * The body as the route takes it: bytes for components, else parsed JSON
 * (or the route's value for an empty body), never deeper than `maxDepth`.
 */
export async function readBody(
  c: Context,
  route: Route,
  limits: { readonly maxDepth: number },
): Promise<{ body: unknown; bytes: Uint8Array | undefined }> {
  const spec = route.body
  if (!spec) return { body: undefined, bytes: undefined }
  const bytes = await bodyBytes(c)
  if (spec.contentType === 'application/wasm') return { body: undefined, bytes }
  const text = new TextDecoder().decode(bytes)
  if (text.trim() === '') {
    if (spec.whenEmpty !== undefined) return { body: spec.whenEmpty, bytes: undefined }
    throw new WeirError('invalid_request', 'the request needs a JSON body')
  }
  const deep = tooDeepAt(text, limits.maxDepth)
  if (deep !== undefined) throw tooDeep(deep, limits.maxDepth)
  try {
    return { body: JSON.parse(text), bytes: undefined }
  } catch (error) {
    throw new WeirError(
      'invalid_request',
      `the body is not valid JSON: ${(error as Error).message}`,
    )
  }
}
