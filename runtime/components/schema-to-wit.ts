/**
 * Writes the WIT world of a JavaScript task from its declared schemas, so task
 * authors never write WIT: objects become records (lowerCamelCase properties as
 * kebab-case fields, optional or nullable ones as `option`), string enums
 * become enums, integers the narrowest WIT integer that holds their range,
 * numbers f64, arrays lists, tuples tuples. The world exports
 * `run: func(input: input) -> result<output, error>`; a task that declares
 * `capabilities.env` also imports `wasi:cli/environment` (its variables, read
 * at each attempt), which the entry of `weir task build` reads for it.
 */
import {
  type Problem,
  pointer,
  type Rooted,
  resolveSchema,
  rooted,
  type TaskDocument,
  type ValueSchema,
} from '../../types/index.js'
import { lowerCamelCase } from './wit-schema.js'

const keywords = new Set(
  'as bool borrow char constructor enum error-context export f32 f64 flags from func future import include interface list option own package record resource result s16 s32 s64 s8 static stream string tuple type u16 u32 u64 u8 use variant with world'.split(
    ' ',
  ),
)

const labelPattern = /^([a-z][a-z0-9]*|[A-Z][A-Z0-9]*)(-([a-z][a-z0-9]*|[A-Z][A-Z0-9]*))*$/

function ident(label: string): string {
  return keywords.has(label) ? `%${label}` : label
}

/** `unitPrice` → `unit-price`; undefined when jco would not map it back to the same name. */
export function kebabLabel(property: string): string | undefined {
  const label = property.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()
  return labelPattern.test(label) && lowerCamelCase(label) === property ? label : undefined
}

export interface GeneratedWorld {
  readonly wit: string
  readonly problems: Problem[]
}

const integerTypes: [string, number, number][] = [
  ['u8', 0, 255],
  ['u16', 0, 65535],
  ['u32', 0, 4294967295],
  ['s8', -128, 127],
  ['s16', -32768, 32767],
  ['s32', -2147483648, 2147483647],
  ['u64', 0, Number.MAX_SAFE_INTEGER],
]

/** The narrowest WIT integer type holding a schema's range. */
export function integerTypeOf(schema: ValueSchema): string {
  const lo =
    schema.minimum ??
    (schema.exclusiveMinimum === undefined ? undefined : Math.floor(schema.exclusiveMinimum) + 1)
  const hi =
    schema.maximum ??
    (schema.exclusiveMaximum === undefined ? undefined : Math.ceil(schema.exclusiveMaximum) - 1)
  if (lo === undefined || hi === undefined) return lo !== undefined && lo >= 0 ? 'u64' : 's64'
  for (const [name, min, max] of integerTypes) if (lo >= min && hi <= max) return name
  return 's64'
}

class WorldWriter {
  readonly definitions: string[] = []
  readonly problems: Problem[] = []
  readonly #names = new Set<string>()
  readonly #named = new WeakMap<object, string>()

  #fail(at: string, message: string): string {
    this.problems.push({ pointer: at, code: 'type_mismatch', message })
    return 'string'
  }

  #name(wanted: string): string {
    let name = wanted
    for (let i = 2; this.#names.has(name); i++) name = `${wanted}${i}`
    this.#names.add(name)
    return name
  }

  /** The WIT type of a schema; `hint` names a record or enum it needs. */
  type(node: Rooted, at: string, hint: string): string {
    const { schema, root } = resolveSchema(node)
    const named = this.#named.get(schema)
    if (named) return named
    const refName = node.schema.$ref?.split('/').pop()
    const name = refName ? (kebabLabel(refName) ?? hint) : hint
    const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []
    const nonNull = types.filter((t) => t !== 'null')
    if (types.includes('null')) {
      if (nonNull.length !== 1)
        return this.#fail(at, 'a nullable value needs exactly one other type')
      return `option<${this.type({ schema: { ...schema, type: nonNull[0] }, root }, at, name)}>`
    }
    if (schema.enum) return this.#enum(schema, at, name)
    if (schema.oneOf || schema.anyOf)
      return this.#fail(
        at,
        'unions are not supported in JavaScript tasks yet; use an object with optional properties',
      )
    switch (nonNull[0]) {
      case 'boolean':
        return 'bool'
      case 'string':
        return 'string'
      case 'integer':
        return integerTypeOf(schema)
      case 'number':
        return 'f64'
      case 'array':
        return this.#array(schema, root, at, name)
      case 'object':
        return this.#record(schema, root, at, name)
      default:
        return this.#fail(
          at,
          `needs a "type" (one of boolean, string, integer, number, array, object) to be given a WIT type`,
        )
    }
  }

  #enum(schema: ValueSchema, at: string, hint: string): string {
    const values = schema.enum ?? []
    if (!values.every((v) => typeof v === 'string' && labelPattern.test(v) && !keywords.has(v))) {
      return this.#fail(
        at,
        'an enum of a JavaScript task must list kebab-case or UPPERCASE strings (they become WIT enum cases)',
      )
    }
    const name = this.#name(hint)
    this.#named.set(schema, name)
    this.definitions.push(
      `  enum ${ident(name)} { ${values.map((v) => ident(String(v))).join(', ')} }`,
    )
    return name
  }

  #array(schema: ValueSchema, root: ValueSchema, at: string, hint: string): string {
    if (schema.prefixItems) {
      const types = schema.prefixItems.map((s, i) =>
        this.type({ schema: s, root }, pointer(at, 'prefixItems', i), `${hint}-${i}`),
      )
      return `tuple<${types.join(', ')}>`
    }
    if (!schema.items) return this.#fail(at, 'an array needs "items" to be given a WIT type')
    return `list<${this.type({ schema: schema.items, root }, pointer(at, 'items'), `${hint}-item`)}>`
  }

  #record(schema: ValueSchema, root: ValueSchema, at: string, hint: string): string {
    const properties = Object.entries(schema.properties ?? {})
    if (properties.length === 0)
      return this.#fail(
        at,
        'an object needs "properties" to be given a WIT record type (maps are not supported)',
      )
    const name = this.#name(hint)
    this.#named.set(schema, name)
    const required = new Set(schema.required ?? [])
    const fields: string[] = []
    for (const [key, property] of properties) {
      if (!property) continue
      const label = kebabLabel(key)
      const fieldAt = pointer(at, 'properties', key)
      if (!label) {
        this.#fail(
          fieldAt,
          `property "${key}" cannot be a WIT field: use lowerCamelCase (letters and digits)`,
        )
        continue
      }
      const type = this.type({ schema: property, root }, fieldAt, `${name}-${label}`)
      const optional = !required.has(key) && !type.startsWith('option<')
      fields.push(`${ident(label)}: ${optional ? `option<${type}>` : type}`)
    }
    this.definitions.push(`  record ${ident(name)} { ${fields.join(', ')} }`)
    return name
  }
}

/**
 * The interface a JavaScript task with `capabilities.env` imports: at the
 * wasi:cli version componentize-js's engine imports its own wasi:cli
 * interfaces at, so the component needs one version of the package.
 */
export const taskEnvironmentInterface = 'wasi:cli/environment@0.2.12'

const environmentPackage = [
  'package wasi:cli@0.2.12 {',
  '  interface environment {',
  '    get-environment: func() -> list<tuple<string, string>>;',
  '    get-arguments: func() -> list<string>;',
  '    initial-cwd: func() -> option<string>;',
  '  }',
  '}',
  '',
]

/** The WIT source of the world a JavaScript task is built against. */
export function worldForTask(task: TaskDocument): GeneratedWorld {
  const writer = new WorldWriter()
  const input = task.input ? writer.type(rooted(task.input), '/input', 'input') : undefined
  const output = task.output ? writer.type(rooted(task.output), '/output', 'output') : undefined
  const error = task.error ? writer.type(rooted(task.error), '/error', 'error') : 'string'
  const params = input ? `input: ${input}` : ''
  const result = `result<${output ?? '_'}, ${error}>`
  const env = task.capabilities?.env !== undefined
  const wit = [
    'package weir:task;',
    '',
    ...(env ? environmentPackage : []),
    'world task {',
    ...(env ? [`  import ${taskEnvironmentInterface};`] : []),
    ...writer.definitions,
    `  export run: func(${params}) -> ${result};`,
    '}',
    '',
  ].join('\n')
  return { wit, problems: writer.problems }
}
