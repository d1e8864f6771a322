// Builds one JavaScript task component with componentize-js, in a process of
// its own: componentize-js needs the whole host filesystem preopened, which is
// process-wide and must never happen in a process that runs tasks.
// Usage: node componentize-child.mjs <source.js> <world.wit> <out.wasm>
import { writeFile } from 'node:fs/promises'
import { componentize } from '@bytecodealliance/componentize-js'
import { _setPreopens } from '@bytecodealliance/preview2-shim/filesystem'

const [sourcePath, witPath, outPath] = process.argv.slice(2)
if (!sourcePath || !witPath || !outPath) {
  console.error('usage: componentize-child.mjs <source.js> <world.wit> <out.wasm>')
  process.exit(2)
}
_setPreopens({ '/': '/' })
try {
  const { component } = await componentize({
    sourcePath,
    witPath,
    worldName: 'task',
    disableFeatures: ['http', 'fetch-event'],
  })
  await writeFile(outPath, component)
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error))
  process.exit(1)
}
