/**
 * The signature check on publish: the task's declared input must be assignable
 * to the schema derived from the exported function's parameters, and the schema
 * derived from its result must be assignable to the declared output (and the
 * `err` of a `result` to the declared error payload). A task that declares no
 * schema gets the derived one. Every mismatch names the function, the place in
 * the value, what was expected and what was found.
 */
import {
  isAssignable,
  type Problem,
  parsePointer,
  pointer,
  resolveSchema,
  rooted,
  type TaskDocument,
  type ValueSchema,
} from '../../types/index.js'
import type { ExportedFunction } from './decode-component.js'
import { generatedFrom } from './generated-leaf.js'
import { type Findings, lowerCamelCase, witToSchema } from './wit-schema.js'
import { formatFuncType, type WitType } from './wit-types.js'

/** How a task's JSON input maps onto the function's parameters. */
export type InputMode = 'params' | 'record'

/** What the executor needs to call the function: stored with the task version. */
export interface FunctionBinding {
  readonly export: string
  readonly signature: string
  readonly params: readonly {
    readonly name: string
    readonly key: string
    readonly type: WitType
  }[]
  /** `record`: the single record parameter is the whole input; `params`: one input property per parameter. */
  readonly inputMode: InputMode
  readonly result: WitType | undefined
}

export interface TaskSchemas {
  readonly input: ValueSchema
  readonly output: ValueSchema
  readonly error: ValueSchema
}

export type SignatureCheck =
  | {
      readonly ok: true
      readonly binding: FunctionBinding
      readonly schemas: TaskSchemas
      readonly derived: TaskSchemas
      /** Declared output constraints finer than WIT can express: checked after every call instead. */
      readonly warnings: Problem[]
    }
  | { readonly ok: false; readonly problems: Problem[]; readonly warnings: Problem[] }

interface Derived {
  readonly schemas: TaskSchemas
  readonly findings: { input: Findings; output: Findings; error: Findings }
}

function newFindings(direction: Findings['direction']): Findings {
  return { direction, unsupported: [], bytes: [] }
}

function deriveInput(
  func: ExportedFunction['func'],
  mode: InputMode,
  findings: Findings,
): ValueSchema {
  const only = func.params[0]
  if (mode === 'record' && only) return witToSchema(only.type, '', findings)
  const properties: Record<string, ValueSchema> = {}
  for (const p of func.params) {
    const key = lowerCamelCase(p.name)
    properties[key] = witToSchema(p.type, pointer('', key), findings)
  }
  return { type: 'object', properties, required: Object.keys(properties) }
}

function derive(func: ExportedFunction['func'], mode: InputMode): Derived {
  const findings = {
    input: newFindings('in'),
    output: newFindings('out'),
    error: newFindings('out'),
  }
  const input = func.params.length === 0 ? {} : deriveInput(func, mode, findings.input)
  const result = func.result
  let output: ValueSchema = { type: 'null' }
  let error: ValueSchema = { type: 'null' }
  if (result?.kind === 'result') {
    if (result.ok) output = witToSchema(result.ok, '', findings.output)
    if (result.err) error = witToSchema(result.err, '', findings.error)
  } else if (result) {
    output = witToSchema(result, '', findings.output)
  }
  return { schemas: { input, output, error }, findings }
}

/** The input modes a function admits: a single record parameter may also be the whole input. */
function modesOf(func: ExportedFunction['func']): InputMode[] {
  const only = func.params[0]
  return func.params.length === 1 && only?.type.kind === 'record'
    ? ['record', 'params']
    : ['params']
}

export function checkSignature(task: TaskDocument, exported: ExportedFunction): SignatureCheck {
  const { func } = exported
  const modes = modesOf(func)
  const candidates = modes.map((mode) => ({ mode, derived: derive(func, mode) }))
  const fits = (c: (typeof candidates)[number]) =>
    !task.input || isAssignable(task.input, c.derived.schemas.input).length === 0
  const chosen = candidates.find(fits) ?? (candidates[0] as (typeof candidates)[number])
  const { schemas: derived, findings } = chosen.derived
  const problems: Problem[] = []
  const warnings: Problem[] = []

  for (const part of ['input', 'output', 'error'] as const) {
    for (const u of findings[part].unsupported) {
      problems.push({
        pointer: `/${part === 'input' ? 'export' : part}`,
        code: 'type_mismatch',
        message: `${exported.name}: ${describePart(part)}${u.path ? ` at ${u.path}` : ''}: ${u.type}: ${u.reason}`,
        path: u.path,
      })
    }
    const declared = task[part]
    for (const path of findings[part].bytes) {
      if (declared && contentEncodingAt(declared, path) !== 'base64') {
        problems.push({
          pointer: `/${part}`,
          code: 'type_mismatch',
          message: `${exported.name}: ${describePart(part)}${path ? ` at ${path}` : ''} is list<u8>: declare it as { "type": "string", "contentEncoding": "base64" }`,
          path,
        })
      }
    }
  }

  const compare = (part: 'input' | 'output' | 'error', from: ValueSchema, to: ValueSchema) => {
    for (const m of isAssignable(from, to)) {
      if (findings[part].bytes.includes(m.path)) continue
      const where = m.path ? ` at ${m.path}` : ''
      if (m.refinement && part !== 'input') {
        // Output and error go from the WIT type (`from`) to the declared schema (`to`): a
        // declared schema narrower than the WIT type weir generated from it is no news.
        if (generatedFrom(to, from, parsePointer(m.path))) continue
        warnings.push({
          pointer: `/${part}`,
          code: 'type_mismatch',
          message: `${exported.name}: ${describePart(part)}${where}: the declared ${m.expected} is narrower than the WIT type (${m.found}); it is checked after every call`,
          expected: m.expected,
          found: m.found,
          path: m.path,
        })
        continue
      }
      problems.push({
        pointer: `/${part}`,
        code: 'type_mismatch',
        message: `${exported.name}: ${describePart(part)}${where}: ${m.message}`,
        expected: m.expected,
        found: m.found,
        path: m.path,
      })
    }
  }
  if (task.input) compare('input', task.input, derived.input)
  if (task.output) compare('output', derived.output, task.output)
  if (task.error) compare('error', derived.error, task.error)

  if (problems.length > 0) return { ok: false, problems, warnings }
  const binding: FunctionBinding = {
    export: exported.name,
    signature: formatFuncType(func),
    params: func.params.map((p) => ({ name: p.name, key: lowerCamelCase(p.name), type: p.type })),
    inputMode: chosen.mode,
    result: func.result,
  }
  const schemas: TaskSchemas = {
    input: task.input ?? derived.input,
    output: task.output ?? derived.output,
    error: task.error ?? derived.error,
  }
  return { ok: true, binding, schemas, derived, warnings }
}

function describePart(part: 'input' | 'output' | 'error'): string {
  return part === 'input' ? 'parameters' : part === 'output' ? 'result' : 'error payload'
}

function contentEncodingAt(root: ValueSchema, path: string): string | undefined {
  let node: ValueSchema | undefined = root
  for (const token of parsePointer(path)) {
    if (!node) return undefined
    const here: ValueSchema = resolveSchema(rooted(node, root)).schema
    node =
      token === '*' ? here.items : (here.properties?.[token] ?? here.prefixItems?.[Number(token)])
  }
  return node && resolveSchema(rooted(node, root)).schema.contentEncoding
}
