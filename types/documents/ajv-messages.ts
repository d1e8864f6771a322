/**
 * Turns one ajv error into a problem a person understands: a JSON Pointer to
 * the offending place and a sentence, instead of ajv's raw text.
 */
import type { ErrorObject } from 'ajv/dist/2020.js'
import { closest } from '../did-you-mean.js'
import type { Problem } from '../errors.js'
import type { JsonValue } from '../json.js'
import { pointer } from '../pointer.js'
import { describeValue } from '../schema/describe.js'
import { jsonTypeOf } from '../schema/rooted.js'

/** The union a branch was chosen from: names the thing and the fields that chose it. */
export interface BranchContext {
  noun: string
  chosenBy: string[]
}

function customMessage(error: ErrorObject, keyword: string): string | undefined {
  const messages = (error.parentSchema as { errorMessages?: Record<string, string> } | undefined)
    ?.errorMessages
  return messages?.[keyword]
}

function quoteList(items: readonly unknown[]): string {
  return items.map((i) => describeValue(i as JsonValue)).join(', ')
}

function foundType(data: unknown): string {
  if (data === undefined) return 'nothing'
  return jsonTypeOf(data as JsonValue)
}

export function humanize(error: ErrorObject, base: string, context?: BranchContext): Problem {
  // An object key that is not a valid name (propertyNames): the problem is at that key.
  const at =
    error.propertyName === undefined
      ? base + error.instancePath
      : pointer(base + error.instancePath, error.propertyName)
  const params = error.params as Record<string, unknown>
  const problem = (message: string, ptr = at): Problem => ({
    pointer: ptr,
    code: 'invalid_document',
    message,
  })
  switch (error.keyword) {
    case 'required': {
      const missing = String(params.missingProperty)
      if (context) {
        const chosen = context.chosenBy.map((k) => `"${k}"`).join(' and ')
        return problem(`${context.noun} needs "${missing}" with ${chosen}`)
      }
      return problem(`missing required field "${missing}"`)
    }
    case 'additionalProperties': {
      const name = String(params.additionalProperty)
      const known = Object.keys((error.parentSchema as { properties?: object })?.properties ?? {})
      const suggestion = closest(name, known)
      const hint = suggestion ? ` (did you mean "${suggestion}"?)` : ''
      const custom = customMessage(error, 'additionalProperties')
      if (custom) {
        const text = custom.replace('"{property}"', `"${name}"${hint}`).replace('{property}', name)
        return problem(text, pointer(at, name))
      }
      return problem(`unknown field "${name}"${hint}`, pointer(at, name))
    }
    case 'type':
      return problem(
        `expected ${String(params.type).replace(',', ' or ')}, found ${foundType(error.data)}`,
      )
    case 'enum': {
      const allowed = params.allowedValues as unknown[]
      const text = typeof error.data === 'string' ? error.data : undefined
      const suggestion =
        text &&
        closest(
          text,
          allowed.filter((a): a is string => typeof a === 'string'),
        )
      const hint = suggestion ? ` (did you mean "${suggestion}"?)` : ''
      return problem(
        `expected one of ${quoteList(allowed)}, found ${describeValue(error.data as JsonValue)}${hint}`,
      )
    }
    case 'const':
      return problem(
        `expected ${describeValue(params.allowedValue as JsonValue)}, found ${describeValue(error.data as JsonValue)}`,
      )
    case 'pattern':
      return problem(
        customMessage(error, 'pattern') ??
          `expected a string matching /${String(params.pattern)}/, found ${describeValue(error.data as JsonValue)}`,
      )
    case 'minItems':
      return problem(
        params.limit === 1 ? 'must not be empty' : `expected at least ${params.limit} items`,
      )
    case 'maxItems':
      return problem(`expected at most ${params.limit} items`)
    case 'minLength':
      return problem(
        params.limit === 1 ? 'must not be empty' : `expected at least ${params.limit} characters`,
      )
    case 'maxLength':
      return problem(`expected at most ${params.limit} characters`)
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return problem(
        `expected a number ${String(params.comparison)} ${params.limit}, found ${String(error.data)}`,
      )
    case 'uniqueItems':
      return problem(`items must be unique (items ${params.j} and ${params.i} are equal)`)
    default:
      return problem(error.message ?? `invalid (${error.keyword})`)
  }
}
