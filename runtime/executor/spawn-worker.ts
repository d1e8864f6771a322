/**
 * Starts one executor worker thread and resolves once it says it is ready.
 * From source (tests, scripts) the worker is TypeScript, so tsx's loader is
 * registered in the thread first; built, it is plain JavaScript.
 */
import { Worker } from 'node:worker_threads'
import type { FromWorker } from './protocol.js'

const ownUrl = import.meta.url
const fromSource = ownUrl.endsWith('.ts')
const workerUrl = new URL(fromSource ? './worker.ts' : './worker.js', ownUrl)

/** A ready worker with an empty environment, its own stdio, and a JS heap of at most `heapMb`. */
export function spawnWorker(heapMb: number): Promise<Worker> {
  const entry = fromSource
    ? `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(workerUrl.href)}) })`
    : workerUrl
  const worker = new Worker(entry, {
    eval: fromSource,
    resourceLimits: { maxOldGenerationSizeMb: heapMb },
    env: {},
    stdout: false,
    stderr: false,
  })
  return new Promise((resolve, reject) => {
    const onReady = (message: FromWorker) => {
      if (message.type !== 'ready') return
      worker.off('message', onReady)
      worker.off('error', reject)
      resolve(worker)
    }
    worker.on('message', onReady)
    worker.once('error', reject)
  })
}
