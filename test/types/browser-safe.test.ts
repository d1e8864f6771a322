/** `types/` runs in browsers: no module under it may import a Node.js built-in. */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

const root = fileURLToPath(new URL('../../types/', import.meta.url))

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sources(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

const builtins =
  /from\s+['"](node:[^'"]+|fs|path|os|url|crypto|child_process|worker_threads|util|stream|events|buffer|process)['"]/
const runtimeImport = /from\s+['"][^'"]*\/runtime\//

test.each(sources(root).map((p) => [p.slice(root.length), p]))(
  '%s imports no Node.js module and nothing from runtime/',
  (_name, path) => {
    const text = readFileSync(path, 'utf8')
    expect(text).not.toMatch(builtins)
    expect(text).not.toMatch(runtimeImport)
    expect(text).not.toMatch(/\bprocess\.(env|argv|exit)/)
  },
)
