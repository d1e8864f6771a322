/** The TS types in types/generated/ must be what the schemas generate today. */
import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { generatedModules, generateTypes } from '../../scripts/generate-types.js'

test('generated document types are current (run `npm run generate` after changing a schema)', async () => {
  const generated = await generateTypes()
  expect([...generated.keys()].sort()).toEqual(generatedModules.map((m) => m.module).sort())
  for (const [module, source] of generated) {
    const onDisk = readFileSync(new URL(`../../types/generated/${module}`, import.meta.url), 'utf8')
    expect(onDisk, `types/generated/${module} is stale`).toBe(source)
  }
}, 30_000)
