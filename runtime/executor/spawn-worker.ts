/**
 * Starts one executor worker thread and resolves once it says it is ready
 * (from source, with tsx's loader registered in the thread: thread-entry.ts).
 */
import { Worker } from 'node:worker_threads'
import { threadEntry } from '../thread-entry.js'
import type { FromWorker } from './protocol.js'

const { entry, eval: fromSource } = threadEntry('./worker', import.meta.url)

/** A ready worker with an empty environment, its own stdio, and a JS heap of at most `heapMb`. */
export function spawnWorker(heapMb: number): Promise<Worker> {
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
