/**
 * Generates the TypeScript types of weir's documents from their JSON Schemas
 * (`types/schemas/*.schema.json` → `types/generated/*.ts`). The schemas are the
 * source of truth; a test fails when the generated files are stale.
 *
 * Usage: `npm run generate` (writes), or import `generateTypes()` to compare.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { compile, type JSONSchema } from 'json-schema-to-typescript'

const schemasDir = fileURLToPath(new URL('../types/schemas/', import.meta.url))
const generatedDir = fileURLToPath(new URL('../types/generated/', import.meta.url))

/** Each document schema and the generated module it becomes. */
export const generatedModules = [
  { schema: 'value-schema.schema.json', module: 'value-schema.ts', imports: '' },
  {
    schema: 'task.schema.json',
    module: 'task.ts',
    imports: "import type { ValueSchema } from './value-schema.js'\n",
  },
  {
    schema: 'flow.schema.json',
    module: 'flow.ts',
    imports:
      "import type { JsonValue } from '../json.js'\nimport type { ValueSchema } from './value-schema.js'\n",
  },
] as const

const banner = (schema: string) =>
  `/* DO NOT EDIT: generated from types/schemas/${schema} by \`npm run generate\`. */`

/** Replaces references to the shared value-schema file by the imported TS type. */
function linkValueSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(linkValueSchema)
  if (node === null || typeof node !== 'object') return node
  const entries = Object.entries(node)
  if (entries.some(([k, v]) => k === '$ref' && v === 'value-schema.schema.json')) {
    const rest = Object.fromEntries(entries.filter(([k]) => k !== '$ref'))
    return { ...rest, tsType: 'ValueSchema' }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, linkValueSchema(v)]))
}

/** Returns the generated source of every module, keyed by file name. */
export async function generateTypes(): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  for (const { schema, module, imports } of generatedModules) {
    const text = await readFile(schemasDir + schema, 'utf8')
    const parsed = linkValueSchema(JSON.parse(text)) as JSONSchema
    const { $id: _id, ...withoutId } = parsed as JSONSchema & { $id?: string }
    const source = await compile(withoutId as JSONSchema, '', {
      bannerComment: `${banner(schema)}\n${imports}`,
      cwd: schemasDir,
      additionalProperties: false,
      unknownAny: true,
      ignoreMinAndMaxItems: true,
      strictIndexSignatures: true,
      declareExternallyReferenced: true,
      style: { singleQuote: true, semi: false, printWidth: 100 },
    })
    out.set(module, source)
  }
  return out
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [module, source] of await generateTypes()) {
    await writeFile(generatedDir + module, source)
    console.log(`wrote types/generated/${module}`)
  }
}
