/**
 * The published form of the JSON Schemas in the OpenAPI document. weir's
 * document schemas (flow, task, value schema) carry `$id` URLs, refer to each
 * other and to their `$defs` by URL, and hold keywords only weir reads
 * (`errorMessages` for Ajv, `tsType` for the type generator). Generators and
 * linters resolve only `#/components/schemas/…`, so the published copy has its
 * `$defs` hoisted into components, every reference rewritten, and those keywords
 * removed. The validators keep using the original schemas.
 */
import type { Schema } from './route.js'

/** Keywords that only weir's own tools read. */
const privateKeywords = new Set(['errorMessages', 'tsType'])

/** The schemas embedded by `$id`, each with the component name it is published under. */
export type EmbeddedSchema = {
  readonly component: string
  readonly schema: Readonly<Record<string, unknown>>
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * The components for the embedded schemas (each schema, then each of its
 * `$defs` as `<component>_<def>`), and a function that rewrites any part of the
 * document into its published form.
 */
export function publishSchemas(embedded: readonly EmbeddedSchema[]): {
  components: Record<string, Schema>
  publish: (value: unknown) => unknown
} {
  const byId = new Map<string, string>()
  for (const { component, schema } of embedded) byId.set(String(schema.$id), component)

  const target = (ref: string, base: string | undefined): string => {
    if (ref.startsWith('#/components/')) return ref
    const url = new URL(ref, base)
    const fragment = url.hash
    url.hash = ''
    const component = byId.get(url.href)
    const def = /^#\/\$defs\/([^/]+)$/.exec(fragment)?.[1]
    if (component === undefined || (fragment !== '' && fragment !== '#' && def === undefined))
      throw new Error(`openapi: cannot publish the reference ${ref} (base ${base})`)
    return `#/components/schemas/${def === undefined ? component : `${component}_${def}`}`
  }

  // Keys of `properties` and `$defs` are names, not keywords: `$ref`, `$id` and `$defs` are
  // rewritten or dropped only where their value has the keyword's type.
  const walk = (value: unknown, base: string | undefined): unknown => {
    if (Array.isArray(value)) return value.map((item) => walk(item, base))
    if (!isObject(value)) return value
    const out: Record<string, unknown> = {}
    for (const [key, child] of Object.entries(value)) {
      if (privateKeywords.has(key)) continue
      if ((key === '$id' || key === '$schema') && typeof child === 'string') continue
      if (key === '$ref' && typeof child === 'string') out[key] = target(child, base)
      else out[key] = walk(child, base)
    }
    return out
  }

  const components: Record<string, Schema> = {}
  for (const { component, schema } of embedded) {
    const base = String(schema.$id)
    const { $defs, ...root } = schema
    components[component] = walk(root, base) as Schema
    if (isObject($defs))
      for (const [name, def] of Object.entries($defs))
        components[`${component}_${name}`] = walk(def, base) as Schema
  }
  return { components, publish: (value) => walk(value, undefined) }
}
