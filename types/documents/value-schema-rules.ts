/**
 * Rules on value schemas that the meta-schema cannot state: every `$ref` names
 * an existing definition and no chain of references loops on itself, and every
 * `pattern` is a valid RE2 regular expression (values are matched in linear time).
 */
import type { Problem } from '../errors.js'
import { regexProblem } from '../expressions/regex.js'
import type { ValueSchema } from '../generated/value-schema.js'
import { pointer } from '../pointer.js'
import { lookupRef, resolve } from '../schema/rooted.js'

export function checkValueSchemaRefs(root: ValueSchema, base: string): Problem[] {
  const problems: Problem[] = []
  const visit = (node: unknown, at: string): void => {
    if (node === null || typeof node !== 'object') return
    if (Array.isArray(node)) {
      for (const [i, child] of node.entries()) visit(child, pointer(at, i))
      return
    }
    const schema = node as ValueSchema
    if (typeof schema.$ref === 'string') {
      if (lookupRef(root, schema.$ref) === undefined) {
        const defs = Object.keys(root.$defs ?? {})
        const known =
          defs.length > 0 ? `; defined: ${defs.join(', ')}` : '; the schema has no $defs'
        problems.push({
          pointer: pointer(at, '$ref'),
          code: 'invalid_schema',
          message: `$ref "${schema.$ref}" names no definition${known}`,
        })
      } else {
        try {
          resolve({ schema, root })
        } catch {
          problems.push({
            pointer: pointer(at, '$ref'),
            code: 'invalid_schema',
            message: `$ref "${schema.$ref}" loops through references without reaching a schema`,
          })
        }
      }
    }
    if (typeof schema.pattern === 'string') {
      const problem = regexProblem(schema.pattern)
      if (problem) {
        problems.push({ pointer: pointer(at, 'pattern'), code: 'invalid_schema', message: problem })
      }
    }
    for (const [key, child] of Object.entries(schema)) {
      if (key === 'const' || key === 'enum' || key === 'default' || key === 'examples') continue
      visit(child, pointer(at, key))
    }
  }
  visit(root, base)
  return problems
}
