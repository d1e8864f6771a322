/**
 * What the WIT weir generates from a task's schemas (schema-to-wit.ts) says of
 * a leaf: the narrowest WIT integer holding an integer's range, f64 for a
 * number, string, bool. A declared schema narrower than that WIT type is no
 * news when weir chose the type from that very schema (a JavaScript task's
 * world): the signature check does not warn about it.
 */
import { type Rooted, resolveSchema, rooted, type ValueSchema } from '../../types/index.js'
import { integerTypeOf } from './schema-to-wit.js'
import { integerRange } from './wit-schema.js'

/** The schema of the WIT type generated for a leaf schema; undefined for anything else. */
function generatedLeafSchema(schema: ValueSchema): ValueSchema | undefined {
  if (schema.enum !== undefined || 'const' in schema) return undefined
  switch (schema.type) {
    case 'integer': {
      const [minimum, maximum] = integerRange(integerTypeOf(schema))
      return { type: 'integer', minimum, maximum }
    }
    case 'number':
      return { type: 'number' }
    case 'string':
      return { type: 'string' }
    case 'boolean':
      return { type: 'boolean' }
    default:
      return undefined
  }
}

/** The schema at a path of a schema (`*`: an array's items), its references resolved. */
function schemaAt(schema: ValueSchema, tokens: readonly string[]): ValueSchema | undefined {
  let node: Rooted = rooted(schema)
  for (const token of tokens) {
    const s = resolveSchema(node).schema
    const next = token === '*' ? s.items : s.properties?.[token]
    if (next === undefined || typeof next !== 'object') return undefined
    node = { schema: next, root: node.root }
  }
  return resolveSchema(node).schema
}

/** True when the WIT type at `tokens` is the one weir generates for the declared schema there. */
export function generatedFrom(
  declared: ValueSchema,
  derived: ValueSchema,
  tokens: readonly string[],
): boolean {
  const declaredLeaf = schemaAt(declared, tokens)
  const derivedLeaf = schemaAt(derived, tokens)
  const generated = declaredLeaf && generatedLeafSchema(declaredLeaf)
  return (
    generated !== undefined &&
    derivedLeaf !== undefined &&
    JSON.stringify(generated) === JSON.stringify(derivedLeaf)
  )
}
