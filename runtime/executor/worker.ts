/**
 * A worker thread of the executor pool: holds prepared tasks (validators,
 * codecs, warm instances) and runs the attempts it is sent one at a time, in
 * order. The pool terminates the thread when an attempt outlives its timeout.
 */
import { parentPort } from 'node:worker_threads'
import type { CallMessage, FromWorker, ToWorker } from './protocol.js'
import { TaskRuntime } from './task-runtime.js'

const port = parentPort
if (!port) throw new Error('the executor worker must run in a worker thread')

const tasks = new Map<string, TaskRuntime>()
const skipped = new Set<number>()
const send = (message: FromWorker) => port.postMessage(message)
let queue: Promise<void> = Promise.resolve()

async function call(message: CallMessage): Promise<void> {
  if (skipped.delete(message.id)) return
  const runtime = tasks.get(message.key)
  const result = runtime
    ? await runtime.call(message.input)
    : {
        status: 'failed' as const,
        error: {
          kind: 'trap' as const,
          message: `task ${message.key} was not prepared in this worker`,
        },
        log: '',
        durationMs: 0,
      }
  send({ type: 'result', id: message.id, result })
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'prepare':
      tasks.set(message.task.key, new TaskRuntime(message))
      return
    case 'skip':
      skipped.add(message.id)
      return
    case 'call':
      queue = queue.then(() => call(message))
      return
    default: {
      const never: never = message
      throw new Error(`unknown message ${String(never)}`)
    }
  }
})

send({ type: 'ready' })
