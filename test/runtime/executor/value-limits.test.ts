/**
 * The limits on what a task returns: an output or error payload too large or
 * too deep fails the attempt as `limit_exceeded` with the limit and where it
 * was passed, before it is validated or leaves the worker; the pool serves
 * the next attempt as usual.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { ComponentCache } from '../../../runtime/components/component-cache.js'
import type { ExecutableTask } from '../../../runtime/executor/executor.js'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import { executableTask, tempCache } from '../../fixtures/executor-harness.js'
import { watComponent } from '../../fixtures/wat-components.js'

/** `text(n)` returns n × "x"; `fail-with(n)` returns an error of n × "x". Memory: 17 pages, a bit over 1 MiB. */
const sizedWit = `package weir:sized;
world sized {
  export text: func(n: u32) -> string;
  export fail-with: func(n: u32) -> result<u32, string>;
}`

const sizedWat = `(module
  (memory (export "memory") 17)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 32))
  (func (export "text") (param $n i32) (result i32)
    (memory.fill (i32.const 64) (i32.const 120) (local.get $n))
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (local.get $n))
    (i32.const 0))
  (func (export "fail-with") (param $n i32) (result i32)
    (memory.fill (i32.const 64) (i32.const 120) (local.get $n))
    (i32.store (i32.const 0) (i32.const 1))
    (i32.store (i32.const 4) (i32.const 64))
    (i32.store (i32.const 8) (local.get $n))
    (i32.const 0))
)`

let cache: ComponentCache
let small: WorkerPool
let text: ExecutableTask
let failWith: ExecutableTask

beforeAll(async () => {
  cache = tempCache()
  small = await WorkerPool.start({ cache, size: 1, valueLimits: { maxDepth: 2, maxBytes: 1000 } })
  const sized = await watComponent(sizedWat, sizedWit, 'sized')
  text = await executableTask(cache, sized, 'text')
  failWith = await executableTask(cache, sized, 'fail-with')
})

afterAll(async () => {
  await small.close()
})

const tooLarge = (what: string, limit: number, pointer: string) => ({
  status: 'failed',
  error: {
    kind: 'limit_exceeded',
    message: `the task's ${what} is larger than the limit of ${limit} bytes as JSON`,
    details: { code: 'value_too_large', limit, pointer },
  },
})

describe('task value limits', () => {
  test('an output of the limit passes; one byte more fails, and the next attempt succeeds', async () => {
    // A string's JSON is its length plus two quotes.
    expect(await small.execute({ task: text, input: { n: 998 } })).toMatchObject({
      status: 'succeeded',
      output: 'x'.repeat(998),
    })
    expect(await small.execute({ task: text, input: { n: 999 } })).toMatchObject(
      tooLarge('output', 1000, ''),
    )
    expect(await small.execute({ task: text, input: { n: 3 } })).toMatchObject({
      status: 'succeeded',
      output: 'xxx',
    })
  })

  test("a task error's payload is bounded too", async () => {
    expect(await small.execute({ task: failWith, input: { n: 5000 } })).toMatchObject(
      tooLarge('error', 1000, ''),
    )
    expect(await small.execute({ task: failWith, input: { n: 4 } })).toMatchObject({
      status: 'failed',
      error: { kind: 'task_error', message: 'xxxx', details: 'xxxx' },
    })
  })

  test('an output nesting deeper than the limit fails with where it went too deep', async () => {
    const bytes = new Uint8Array(
      readFileSync(new URL('../../fixtures/js-kinds/dist/js-kinds.wasm', import.meta.url)),
    )
    const echo = await executableTask(cache, bytes, 'run')
    const order = {
      id: 'o1',
      items: [{ sku: 'a', qty: 3, unitPrice: 1.5 }],
      color: 'red',
      shape: { tag: 'none' },
      perms: { read: true, writeAll: false },
      pair: [1, 2],
      big: 1,
      delta: 0,
      small: 0,
      medium: 0,
      initial: 'a',
      ok: true,
      outcome: { tag: 'ok', val: 1 },
    }
    // The order is 1 level, its items 2, an item 3.
    expect(await small.execute({ task: echo, input: order })).toMatchObject({
      status: 'failed',
      error: {
        kind: 'limit_exceeded',
        message: "the task's output nests deeper than the limit of 2 levels at /items/0",
        details: { code: 'value_too_deep', limit: 2, pointer: '/items/0' },
      },
    })
    expect(await small.execute({ task: echo, input: { ...order, items: [] } })).toMatchObject({
      status: 'succeeded',
      output: { ...order, items: [] },
    })
  })

  test('by default an output may be 1 MiB as JSON, not one byte more', async () => {
    const pool = await WorkerPool.start({ cache, size: 1 })
    try {
      const limit = 2 ** 20
      const within = await pool.execute({ task: text, input: { n: limit - 2 } })
      expect(within.status === 'succeeded' && (within.output as string).length).toBe(limit - 2)
      expect(await pool.execute({ task: text, input: { n: limit - 1 } })).toMatchObject(
        tooLarge('output', limit, ''),
      )
    } finally {
      await pool.close()
    }
  })
})

test('an invalid output over 16 KiB is left out of the error details; the problems are counted', async () => {
  const pool = await WorkerPool.start({ cache, size: 1 })
  try {
    const sized = await watComponent(sizedWat, sizedWit, 'sized')
    const short = await executableTask(cache, sized, 'text', {
      declared: { output: { type: 'string', maxLength: 10 } },
    })
    const big = await pool.execute({ task: short, input: { n: 20_000 } })
    expect(big).toMatchObject({
      status: 'failed',
      error: { kind: 'output_invalid', details: { problemCount: 1 } },
    })
    expect(big.status === 'failed' && 'output' in (big.error.details as object)).toBe(false)
    const small = await pool.execute({ task: short, input: { n: 12 } })
    expect(small).toMatchObject({
      status: 'failed',
      error: { details: { output: 'xxxxxxxxxxxx', problemCount: 1 } },
    })
  } finally {
    await pool.close()
  }
})
