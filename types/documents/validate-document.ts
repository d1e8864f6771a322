/**
 * Validates flow and task documents (and standalone value schemas) against
 * weir's JSON Schemas, reporting every problem at once with a JSON Pointer.
 */
import type { Problem } from '../errors.js'
import type { FlowDocument } from '../generated/flow.js'
import type { TaskDocument } from '../generated/task.js'
import type { ValueSchema } from '../generated/value-schema.js'
import { pointer } from '../pointer.js'
import { schemaIds, validatorAt } from './document-schemas.js'
import { explain } from './explain-errors.js'
import { parseOrigin } from './origins.js'
import { checkValueSchemaRefs } from './value-schema-rules.js'

export type Validated<T> = { ok: true; value: T } | { ok: false; problems: Problem[] }

function validated<T>(value: unknown, problems: Problem[]): Validated<T> {
  return problems.length === 0 ? { ok: true, value: value as T } : { ok: false, problems }
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}

/** Reference checks of the value schemas that passed the meta-schema (the others already have problems). */
function refProblems(places: [unknown, string][], found: Problem[]): Problem[] {
  const out: Problem[] = []
  for (const [schema, at] of places) {
    if (asRecord(schema) === undefined) continue
    if (found.some((p) => p.pointer === at || p.pointer.startsWith(`${at}/`))) continue
    out.push(...checkValueSchemaRefs(schema as ValueSchema, at))
  }
  return out
}

/** Checks a document against `flow.schema.json` only (graph and types are the checker's). */
export function validateFlowSchema(document: unknown): Validated<FlowDocument> {
  const problems = explain(validatorAt(schemaIds.flow), document)
  const flow = asRecord(document)
  const steps = Array.isArray(flow?.steps) ? flow.steps : []
  const places: [unknown, string][] = [[flow?.input, '/input']]
  for (const [i, step] of steps.entries())
    places.push([asRecord(step)?.schema, `/steps/${i}/schema`])
  problems.push(...refProblems(places, problems))
  return validated(document, problems)
}

/** Checks a task document against `task.schema.json` and its schemas' references. */
export function validateTaskDocument(document: unknown): Validated<TaskDocument> {
  const problems = explain(validatorAt(schemaIds.task), document)
  const task = asRecord(document)
  const places: [unknown, string][] = ['input', 'output', 'error'].map((k) => [task?.[k], `/${k}`])
  problems.push(...refProblems(places, problems))
  problems.push(...originProblems(task, problems), ...envNameProblems(task))
  return validated(document, problems)
}

/** Each `capabilities.http.allow` entry that is not an origin weir can match, at its pointer. */
function originProblems(task: Record<string, unknown> | undefined, found: Problem[]): Problem[] {
  const allow = asRecord(asRecord(task?.capabilities)?.http)?.allow
  if (!Array.isArray(allow)) return []
  const out: Problem[] = []
  for (const [i, entry] of allow.entries()) {
    const at = `/capabilities/http/allow/${i}`
    if (typeof entry !== 'string' || found.some((p) => p.pointer === at)) continue
    const parsed = parseOrigin(entry)
    if (!parsed.ok) out.push({ pointer: at, code: 'invalid_document', message: parsed.message })
  }
  return out
}

const envName = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/

/**
 * Names of `capabilities.env` that are not variable names, or that differ
 * from another only by case (environments on some systems ignore case, so
 * such a pair would be ambiguous), each at its pointer.
 */
function envNameProblems(task: Record<string, unknown> | undefined): Problem[] {
  const env = asRecord(asRecord(task?.capabilities)?.env)
  if (!env) return []
  const out: Problem[] = []
  const seen = new Map<string, string>()
  for (const name of Object.keys(env)) {
    const at = pointer('/capabilities/env', name)
    if (!envName.test(name)) {
      const message = `"${name}" is not a variable name: letters, digits and "_", not starting with a digit (at most 128)`
      out.push({ pointer: at, code: 'invalid_document', message })
      continue
    }
    const other = seen.get(name.toUpperCase())
    if (other !== undefined) {
      const message = `"${name}" and "${other}" differ only by case: name each variable once`
      out.push({ pointer: at, code: 'invalid_document', message })
    }
    seen.set(name.toUpperCase(), name)
  }
  return out
}

/** Checks one value schema (the subset of JSON Schema tasks and flows use). */
export function validateValueSchema(schema: unknown, base = ''): Validated<ValueSchema> {
  const problems = explain(validatorAt(schemaIds.valueSchema), schema, base)
  if (problems.length === 0) problems.push(...checkValueSchemaRefs(schema as ValueSchema, base))
  return validated(schema, problems)
}
