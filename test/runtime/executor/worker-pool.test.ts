/** The executor running real componentize-js tasks: outputs, task errors, logs, values of every kind. */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { ComponentCache } from '../../../runtime/components/component-cache.js'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import { exampleComponent, executableTask, tempCache } from '../../fixtures/executor-harness.js'

let cache: ComponentCache
let pool: WorkerPool

beforeAll(async () => {
  cache = tempCache()
  pool = await WorkerPool.start({ cache, size: 2 })
})

afterAll(async () => {
  await pool.close()
})

async function example(name: string) {
  const { bytes, task } = exampleComponent(name)
  return executableTask(cache, bytes, 'run', { declared: task })
}

describe('worker pool with componentize-js tasks', () => {
  test('price-order computes a total', async () => {
    const task = await example('price-order')
    const result = await pool.execute({
      task,
      input: {
        items: [
          { sku: 'a', qty: 2, price: 10 },
          { sku: 'b', qty: 1, price: 5.5 },
        ],
        region: 'EU',
      },
    })
    expect(result).toMatchObject({
      status: 'succeeded',
      output: { total: 30.6, currency: 'EUR' },
      log: '',
    })
  })

  test('a thrown error of a JS task is a task error with its message, and stdout is in the log', async () => {
    const task = await example('charge-card')
    const ok = await pool.execute({ task, input: { orderId: 'o1', amount: 12.5, currency: 'EUR' } })
    expect(ok).toMatchObject({
      status: 'succeeded',
      output: { chargeId: 'ch_o1_1250', amount: 12.5 },
      log: 'charging 12.5 EUR for order o1\n',
    })
    const declined = await pool.execute({
      task,
      input: { orderId: 'o2', amount: 20000, currency: 'USD' },
    })
    expect(declined).toMatchObject({
      status: 'failed',
      error: {
        kind: 'task_error',
        message: 'card declined: 20000 USD is over the limit',
        details: 'card declined: 20000 USD is over the limit',
      },
    })
  })

  test('an optional output property left out by the task stays out', async () => {
    const task = await example('validate-order')
    const result = await pool.execute({
      task,
      input: { id: 'o1', country: 'FR', items: [{ sku: 'a', qty: 1, price: 2 }] },
    })
    expect(result).toMatchObject({ status: 'succeeded', output: { ok: true } })
    expect(result.status === 'succeeded' && Object.keys(result.output as object)).toEqual(['ok'])
  })

  test('the warm instance serves many calls in a row', async () => {
    const task = await example('increment')
    for (let n = 0; n < 50; n++) {
      expect(await pool.execute({ task, input: { n } })).toMatchObject({
        status: 'succeeded',
        output: { n: n + 1 },
      })
    }
  })

  test('values of every WIT kind round-trip through a JS component', async () => {
    const bytes = new Uint8Array(
      readFileSync(new URL('../../fixtures/js-kinds/dist/js-kinds.wasm', import.meta.url)),
    )
    const task = await executableTask(cache, bytes, 'run')
    const order = {
      id: 'o1',
      items: [{ sku: 'a', qty: 3, unitPrice: 1.5 }],
      color: 'dark-green',
      shape: { tag: 'square', val: 7 },
      perms: { read: true, writeAll: false },
      pair: [255, -128],
      big: 9007199254740991,
      delta: -42,
      small: -300,
      medium: 65535,
      initial: 'é',
      ok: true,
      outcome: { tag: 'err', val: 'nope' },
    }
    const result = await pool.execute({ task, input: order })
    expect(result).toMatchObject({
      status: 'succeeded',
      output: order,
      log: 'order o1 with 1 items\n',
    })
    const withNote = await pool.execute({
      task,
      input: { ...order, note: 'rush', shape: { tag: 'none' }, outcome: { tag: 'ok', val: 5 } },
    })
    expect(withNote).toMatchObject({
      status: 'succeeded',
      output: { note: 'rush', shape: { tag: 'none' }, outcome: { tag: 'ok', val: 5 } },
    })
    const failing = await pool.execute({ task, input: { ...order, id: 'fail' } })
    expect(failing).toMatchObject({
      status: 'failed',
      error: { kind: 'task_error', message: 'cannot process order fail' },
    })
  })

  test('an interface export is called by its iface#func name', async () => {
    const bytes = new Uint8Array(
      readFileSync(new URL('../../fixtures/js-kinds/dist/js-kinds.wasm', import.meta.url)),
    )
    const task = await executableTask(cache, bytes, 'weir:kinds/calc#add')
    expect(await pool.execute({ task, input: { a: -2, b: 44 } })).toMatchObject({
      status: 'succeeded',
      output: 42,
    })
  })

  test('a 64-bit integer beyond 2^53 is refused with a clear error', async () => {
    const bytes = new Uint8Array(
      readFileSync(new URL('../../fixtures/js-kinds/dist/js-kinds.wasm', import.meta.url)),
    )
    const task = await executableTask(cache, bytes, 'run')
    const result = await pool.execute({
      task,
      input: {
        id: 'x',
        items: [],
        color: 'red',
        shape: { tag: 'none' },
        perms: {},
        pair: [1, 1],
        big: 2 ** 60,
        delta: 0,
        small: 0,
        medium: 0,
        initial: 'a',
        ok: true,
        outcome: { tag: 'ok', val: 1 },
      },
    })
    expect(result).toMatchObject({
      status: 'failed',
      error: {
        kind: 'input_invalid',
        message:
          "the input does not match the task's input schema: /big: expected a number <= 9007199254740991, found 1152921504606847000",
      },
    })
  })
})
