/**
 * Validates values against value schemas with ajv: the check made before every
 * task call and after every return, and on trigger inputs. Each schema is
 * compiled once (cached by object identity) and reports every problem with a
 * JSON Pointer into the value.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import type { RegExpEngine } from 'ajv/dist/types/index.js'
import { humanize } from '../documents/ajv-messages.js'
import type { Problem } from '../errors.js'
import { compilePattern } from '../expressions/regex.js'
import type { ValueSchema } from './rooted.js'

let ajv: Ajv2020 | undefined
const compiled = new WeakMap<ValueSchema, ValidateFunction>()

/**
 * `pattern` keywords run on RE2: linear time whatever the pattern and the
 * value. A pattern RE2 refuses (only in a schema published before weir used
 * RE2: publishing refuses them now) matches nothing, so values fail clearly.
 */
const re2: RegExpEngine = Object.assign(
  (pattern: string) => {
    try {
      return compilePattern(pattern)
    } catch {
      return { test: () => false, toString: () => `/${pattern}/` }
    }
  },
  { code: 'compilePattern' },
)

function valueAjv(): Ajv2020 {
  // ownProperties: `required: ["__proto__"]` looks for an own key, not the prototype.
  ajv ??= new Ajv2020({
    allErrors: true,
    strict: false,
    verbose: true,
    validateFormats: false,
    ownProperties: true,
    code: { regExp: re2 },
  })
  return ajv
}

/** The compiled validator of a value schema (compiled on first use, then cached). */
export function compileValueSchema(schema: ValueSchema): ValidateFunction {
  const cached = compiled.get(schema)
  if (cached) return cached
  const { $id: _id, $schema: _schema, ...rest } = schema
  const validate = valueAjv().compile(rest)
  compiled.set(schema, validate)
  return validate
}

/** Validates a value; returns its problems (empty when valid), each pointing into the value under `base`. */
export function validateValue(schema: ValueSchema, value: unknown, base = ''): Problem[] {
  const validate = compileValueSchema(schema)
  if (validate(value)) return []
  return (validate.errors ?? [])
    .filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf')
    .map((e) => humanize(e, base))
}
