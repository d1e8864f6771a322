/**
 * Builds one schema out of parts that come from different documents (a flow's
 * input schema, several tasks' output schemas). Each part's `$ref`s point into
 * its own root; the composer gathers every root's `$defs` under one root, each
 * under its own prefix, and rewrites the parts' references to match.
 */
import type { Rooted, ValueSchema } from './rooted.js'

export class SchemaComposer {
  readonly #defs: Record<string, ValueSchema> = {}
  readonly #prefixes = new Map<ValueSchema, string>()

  /** Returns `node.schema` made valid under the composed root. */
  embed(node: Rooted): ValueSchema {
    const defs = node.root.$defs
    if (!defs || Object.keys(defs).length === 0) return node.schema
    let prefix = this.#prefixes.get(node.root)
    if (prefix === undefined) {
      prefix = `r${this.#prefixes.size}.`
      this.#prefixes.set(node.root, prefix)
      for (const [name, def] of Object.entries(defs)) {
        if (def) this.#defs[prefix + name] = rewriteRefs(def, prefix)
      }
    }
    return rewriteRefs(node.schema, prefix)
  }

  /** The composed schema: `top` under a root holding every embedded part's definitions. */
  finish(top: ValueSchema): Rooted {
    return { schema: top, root: { $defs: this.#defs } }
  }
}

function rewriteRefs(node: ValueSchema, prefix: string): ValueSchema {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string')
      out[key] = value.replace('#/$defs/', `#/$defs/${prefix}`)
    else if (
      key === '$defs' ||
      key === 'const' ||
      key === 'enum' ||
      key === 'default' ||
      key === 'examples'
    )
      out[key] = value
    else if (key === 'properties' && value)
      out[key] = mapEntries(value as Record<string, ValueSchema>, prefix)
    else if (Array.isArray(value))
      out[key] = value.map((v) => (isSchema(v) ? rewriteRefs(v, prefix) : v))
    else if (isSchema(value)) out[key] = rewriteRefs(value, prefix)
    else out[key] = value
  }
  return out as ValueSchema
}

function mapEntries(
  props: Record<string, ValueSchema>,
  prefix: string,
): Record<string, ValueSchema> {
  return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, rewriteRefs(v, prefix)]))
}

function isSchema(value: unknown): value is ValueSchema {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
