/**
 * A worker thread of the executor pool: holds prepared tasks (validators,
 * codecs, warm instances) and runs one attempt at a time. The pool terminates
 * the thread when an attempt outlives its timeout.
 */
import { parentPort } from 'node:worker_threads'
import type { FromWorker, ToWorker } from './protocol.js'
import { TaskRuntime } from './task-runtime.js'

const port = parentPort
if (!port) throw new Error('the executor worker must run in a worker thread')

const tasks = new Map<string, TaskRuntime>()
const send = (message: FromWorker) => port.postMessage(message)

port.on('message', async (message: ToWorker) => {
  if (message.type === 'prepare') {
    tasks.set(message.task.key, new TaskRuntime(message))
    return
  }
  const runtime = tasks.get(message.key)
  if (!runtime) {
    send({
      type: 'result',
      id: message.id,
      result: {
        status: 'failed',
        error: { kind: 'trap', message: `task ${message.key} was not prepared in this worker` },
        log: '',
        durationMs: 0,
      },
    })
    return
  }
  send({ type: 'result', id: message.id, result: await runtime.call(message.input) })
})

send({ type: 'ready' })
