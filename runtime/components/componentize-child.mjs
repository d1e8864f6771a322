// Builds one JavaScript task component with componentize-js, in a process of
// its own: componentize-js needs the whole host filesystem preopened, which is
// process-wide and must never happen in a process that runs tasks.
// Usage: node componentize-child.mjs <source.js> <world.wit> <out.wasm> [--http]
// `--http` turns componentize-js's `http` feature on (fetch, importing
// wasi:http/outgoing-handler); `fetch-event` stays off always (it would export
// an incoming handler).
import { writeFile } from 'node:fs/promises'
import { componentize } from '@bytecodealliance/componentize-js'
import { _setPreopens } from '@bytecodealliance/preview2-shim/filesystem'

const [sourcePath, witPath, outPath, flag] = process.argv.slice(2)
if (!sourcePath || !witPath || !outPath || (flag !== undefined && flag !== '--http')) {
  console.error('usage: componentize-child.mjs <source.js> <world.wit> <out.wasm> [--http]')
  process.exit(2)
}
_setPreopens({ '/': '/' })
try {
  const { component } = await componentize({
    sourcePath,
    witPath,
    worldName: 'task',
    disableFeatures: flag === '--http' ? ['fetch-event'] : ['http', 'fetch-event'],
  })
  await writeFile(outPath, component)
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error))
  process.exit(1)
}
