/**
 * Reads a request as a route's spec describes it: parameters parsed (numbers
 * from their text) and validated against their schemas, the body parsed as
 * JSON or taken as bytes. Problems are `invalid_request` (400) naming the
 * parameter, or the position in the body where the JSON breaks.
 */
import type { Context } from 'hono'
import { type JsonValue, validateValue } from '../../types/index.js'
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

export function readParameters(c: Context, route: Route): Record<string, JsonValue | undefined> {
  const params: Record<string, JsonValue | undefined> = {}
  const items: ProblemItem[] = []
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

export async function readBody(
  c: Context,
  route: Route,
): Promise<{ body: unknown; bytes: Uint8Array | undefined }> {
  const spec = route.body
  if (!spec) return { body: undefined, bytes: undefined }
  const bytes = new Uint8Array(await c.req.arrayBuffer())
  if (spec.contentType === 'application/wasm') return { body: undefined, bytes }
  const text = new TextDecoder().decode(bytes)
  if (text.trim() === '') {
    if (spec.whenEmpty !== undefined) return { body: spec.whenEmpty, bytes: undefined }
    throw new WeirError('invalid_request', 'the request needs a JSON body')
  }
  try {
    return { body: JSON.parse(text), bytes: undefined }
  } catch (error) {
    throw new WeirError(
      'invalid_request',
      `the body is not valid JSON: ${(error as Error).message}`,
    )
  }
}
