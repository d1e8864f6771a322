/**
 * The schema of the values a compiled template produces, derived statically:
 * literals are constants, plain paths keep the exact schema found there (ranges,
 * enums, nullability) and whether they may be absent, other expressions take
 * the JSON form of their CEL type, interpolated text is a string.
 */
import type { JsonValue } from '../json.js'
import { pointer } from '../pointer.js'
import { SchemaComposer } from '../schema/compose.js'
import { anySchema, jsonTypeOf, type Rooted, rooted, type ValueSchema } from '../schema/rooted.js'
import { schemaAtPath } from '../schema/schema-at-path.js'
import { withoutNull } from '../schema/without-null.js'
import { type CelNode, pathOf } from './cel-ast.js'
import { celTypeToSchema } from './cel-values.js'
import { type CompiledExpression, type ScopePath, toScopePath } from './compile-expression.js'
import type { CompiledTemplate, TemplateProblem } from './compile-template.js'
import type { FlowEnvironment } from './flow-environment.js'
import type { AccessRules } from './guards.js'

export interface TemplateType {
  readonly schema: Rooted
  readonly mayBeAbsent: boolean
  /** Pointers of values whose type is only known at run time (CEL `dyn`). */
  readonly dynamic: readonly string[]
}

interface Part {
  schema: ValueSchema
  mayBeAbsent: boolean
}

/** Types a template compiled at document pointer `base`. */
export function templateSchema(
  template: CompiledTemplate,
  base: string,
  fenv: FlowEnvironment,
  rules: AccessRules,
): { type: TemplateType; problems: TemplateProblem[] } {
  const composer = new SchemaComposer()
  const problems: TemplateProblem[] = []
  const dynamic: string[] = []

  const expressionPart = (expression: CompiledExpression, at: string): Part => {
    if (expression.path) {
      const found = pathSchema(expression.path, fenv, rules)
      if (found.unknown) dynamic.push(at)
      return { schema: composer.embed(found.node), mayBeAbsent: found.mayBeAbsent }
    }
    const refined = refinedSchema(expression.ast, fenv, rules, composer)
    if (refined) return { schema: refined, mayBeAbsent: false }
    const schema = celTypeToSchema(expression.type, fenv.shapes.messages, composer)
    if (!schema) {
      problems.push({
        pointer: at,
        code: 'expression_type',
        message: `"${expression.source}" is of type ${expression.type.name}, which has no JSON form`,
      })
      return { schema: {}, mayBeAbsent: false }
    }
    if (expression.type.kind === 'dyn') dynamic.push(at)
    return { schema, mayBeAbsent: false }
  }

  const visit = (node: CompiledTemplate, at: string): Part => {
    switch (node.kind) {
      case 'literal':
        return { schema: literalSchema(node.value), mayBeAbsent: false }
      case 'value':
        return expressionPart(node.expression, node.pointer)
      case 'text': {
        const fixed = node.parts.reduce(
          (n, p) => n + (typeof p === 'string' ? [...p].length : 0),
          0,
        )
        return {
          schema: fixed > 0 ? { type: 'string', minLength: fixed } : { type: 'string' },
          mayBeAbsent: false,
        }
      }
      case 'object': {
        const properties: Record<string, ValueSchema> = {}
        const required: string[] = []
        for (const [key, child] of node.entries) {
          const part = visit(child, pointer(at, key))
          properties[key] = part.schema
          if (!part.mayBeAbsent) required.push(key)
        }
        return {
          schema: { type: 'object', properties, required, additionalProperties: false },
          mayBeAbsent: false,
        }
      }
      case 'array': {
        const items = node.items.map((child, i) => {
          const part = visit(child, pointer(at, i))
          if (part.mayBeAbsent) {
            problems.push({
              pointer: pointer(at, i),
              code: 'optional_access',
              message:
                'this value may be absent, and an array item cannot be left out; test it with has(…) in a ?: expression',
            })
          }
          return part.schema
        })
        const n = items.length
        const schema: ValueSchema = { type: 'array', minItems: n, maxItems: n }
        if (n > 0) schema.prefixItems = items as [ValueSchema, ...ValueSchema[]]
        return { schema, mayBeAbsent: false }
      }
      default: {
        const never: never = node
        return never
      }
    }
  }

  const top = visit(template, base)
  const type = { schema: composer.finish(top.schema), mayBeAbsent: top.mayBeAbsent, dynamic }
  return { type, problems }
}

/**
 * A schema more precise than the CEL type for the shapes that keep it: a
 * literal is a constant, a (guarded, so present and non-null) path keeps its
 * schema, and `c ? a : b` is the union of its branches.
 */
function refinedSchema(
  node: CelNode,
  fenv: FlowEnvironment,
  rules: AccessRules,
  composer: SchemaComposer,
): ValueSchema | undefined {
  if (node.op === 'value') {
    const v = node.args
    if (typeof v === 'bigint')
      return Number.isSafeInteger(Number(v)) ? literalSchema(Number(v)) : undefined
    return typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number' || v === null
      ? literalSchema(v)
      : undefined
  }
  if (node.op === '?:') {
    const [, whenTrue, whenFalse] = node.args as [CelNode, CelNode, CelNode]
    const a = refinedSchema(whenTrue, fenv, rules, composer)
    const b = refinedSchema(whenFalse, fenv, rules, composer)
    return a && b ? { anyOf: [a, b] } : undefined
  }
  const path = pathOf(node)
  const scopePath = path && toScopePath(path)
  if (!scopePath) return undefined
  const found = withoutNull(pathSchema(scopePath, fenv, rules).node)
  return found ? composer.embed(found) : undefined
}

/** A literal's schema, structural for objects and arrays so mismatches point inside them. */
function literalSchema(value: JsonValue): ValueSchema {
  if (Array.isArray(value)) {
    const n = value.length
    const schema: ValueSchema = { type: 'array', minItems: n, maxItems: n }
    if (n > 0) schema.prefixItems = value.map(literalSchema) as [ValueSchema, ...ValueSchema[]]
    return schema
  }
  if (value !== null && typeof value === 'object') {
    const properties = Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, literalSchema(v)]),
    )
    return { type: 'object', properties, required: Object.keys(value), additionalProperties: false }
  }
  return { type: jsonTypeOf(value), const: value }
}

/** `index`: an item's position in its list (lists have at most `limits.maxItems` elements). */
const indexSchema: ValueSchema = { type: 'integer', minimum: 0, maximum: 2147483647 }

function pathSchema(path: ScopePath, fenv: FlowEnvironment, rules: AccessRules) {
  switch (path.root) {
    case 'input':
      return schemaAtPath(fenv.input.schema, path.fields)
    case 'run':
      return schemaAtPath(fenv.run.schema, path.fields)
    case 'item':
      return schemaAtPath(fenv.item?.schema ?? rooted(anySchema), path.fields)
    case 'index':
      return schemaAtPath(rooted(indexSchema), [])
    case 'step': {
      const start =
        path.part === 'error'
          ? fenv.error.schema
          : (fenv.steps.get(path.step)?.schema ?? rooted(anySchema))
      const found = schemaAtPath(start, path.fields)
      const available = rules.stepAvailable(path.step, path.part)
      return { ...found, mayBeAbsent: found.mayBeAbsent || !available }
    }
    default: {
      const never: never = path
      return never
    }
  }
}
