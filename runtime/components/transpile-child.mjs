// Transpiles one component with jco, in a process of its own: jco's
// transpiler is itself a WebAssembly module, and compiling it leaves tens of
// MiB in a process's heap that a server running tasks should not carry.
// Usage: node transpile-child.mjs <component.wasm> <out-folder>
// Writes every file jco makes but the type declarations into <out-folder>
// (component.js as component.mjs) and prints the core modules' names as a
// JSON array; an error's message goes to stderr, with exit code 1.
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { transpile } from '@bytecodealliance/jco'

const [input, out] = process.argv.slice(2)
if (!input || !out) {
  console.error('usage: transpile-child.mjs <component.wasm> <out-folder>')
  process.exit(2)
}
try {
  const { files } = await transpile(await readFile(input), {
    name: 'component',
    instantiation: 'async',
    noTypescript: true,
  })
  const coreModules = []
  for (const [name, content] of Object.entries(files)) {
    if (name.endsWith('.d.ts')) continue
    const target = name === 'component.js' ? 'component.mjs' : name
    if (name.endsWith('.wasm')) coreModules.push(name)
    await mkdir(dirname(join(out, target)), { recursive: true })
    await writeFile(join(out, target), content)
  }
  process.stdout.write(JSON.stringify(coreModules))
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error))
  process.exit(1)
}
