/**
 * A worker thread of the executor pool: holds prepared tasks (validators,
 * codecs, warm instances) and runs the attempts it is sent one at a time, in
 * order. Before it starts an attempt it reads the messages that came while
 * the previous one ran, so a skip sent meanwhile wins: the attempt is
 * answered `skipped` and never starts. The pool terminates the thread when an
 * attempt outlives its timeout.
 */
import { type MessagePort, parentPort, receiveMessageOnPort } from 'node:worker_threads'
import type { CallMessage, FromWorker, ToWorker } from './protocol.js'
import { TaskRuntime } from './task-runtime.js'

if (!parentPort) throw new Error('the executor worker must run in a worker thread')
const port: MessagePort = parentPort

const tasks = new Map<string, TaskRuntime>()
/** Attempts to skip; only ids above `lastStarted` are kept (the pool numbers attempts in order). */
const skipped = new Set<number>()
let lastStarted = 0
const send = (message: FromWorker) => port.postMessage(message)
let queue: Promise<void> = Promise.resolve()

async function call(message: CallMessage): Promise<void> {
  for (let more = receiveMessageOnPort(port); more; more = receiveMessageOnPort(port))
    receive(more.message as ToWorker)
  lastStarted = message.id
  if (skipped.delete(message.id)) {
    send({ type: 'skipped', id: message.id })
    return
  }
  const runtime = tasks.get(message.key)
  const result = runtime
    ? await runtime.call(message.input, message.environment)
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

function receive(message: ToWorker): void {
  switch (message.type) {
    case 'prepare':
      tasks.set(message.task.key, new TaskRuntime(message))
      return
    case 'skip':
      if (message.id > lastStarted) skipped.add(message.id)
      return
    case 'call':
      queue = queue.then(() => call(message))
      return
    default: {
      const never: never = message
      throw new Error(`unknown message ${String(never)}`)
    }
  }
}

port.on('message', receive)

send({ type: 'ready' })
