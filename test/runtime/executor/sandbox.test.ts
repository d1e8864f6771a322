/** The sandbox holds: a task cannot hang, exhaust, exit, read or flood its host. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { ComponentCache } from '../../../runtime/components/component-cache.js'
import type { ExecutableTask } from '../../../runtime/executor/executor.js'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import { executableTask, tempCache } from '../../fixtures/executor-harness.js'
import { probeComponent } from '../../fixtures/probe-component.js'

let cache: ComponentCache
let pool: WorkerPool
let probe: Uint8Array
let add: ExecutableTask

beforeAll(async () => {
  cache = tempCache()
  probe = await probeComponent()
  pool = await WorkerPool.start({ cache, size: 2, logLimit: 64 * 1024 })
  add = await executableTask(cache, probe, 'add')
})

afterAll(async () => {
  await pool.close()
})

const task = (name: string, options = {}) => executableTask(cache, probe, name, options)

describe('sandbox', () => {
  test('a normal call succeeds', async () => {
    const result = await pool.execute({ task: add, input: { a: 2, b: 40 } })
    expect(result).toMatchObject({ status: 'succeeded', output: 42, log: '' })
  })

  test('an infinite loop is stopped within timeout + 250 ms and the next call succeeds', async () => {
    const spin = await task('spin', { timeoutMs: 300 })
    const started = performance.now()
    const result = await pool.execute({ task: spin, input: {} })
    const elapsed = performance.now() - started
    expect(result.status).toBe('failed')
    if (result.status === 'failed') {
      expect(result.error.kind).toBe('timeout')
      expect(result.error.message).toBe('the attempt did not finish within 300 ms and was stopped')
    }
    expect(elapsed).toBeGreaterThanOrEqual(300)
    expect(elapsed).toBeLessThan(550)
    expect(await pool.execute({ task: add, input: { a: 1, b: 1 } })).toMatchObject({
      status: 'succeeded',
      output: 2,
    })
  })

  test('growing memory to 4 GiB fails as limit_exceeded at the 256 MiB cap, and the host lives', async () => {
    const grow = await task('grow')
    const result = await pool.execute({ task: grow, input: { mib: 4096 } })
    expect(result).toMatchObject({
      status: 'failed',
      error: { kind: 'limit_exceeded', message: 'the task reached its memory limit of 256 MiB' },
    })
    expect(await pool.execute({ task: add, input: { a: 3, b: 4 } })).toMatchObject({
      status: 'succeeded',
      output: 7,
    })
  })

  test('a lower memory limit holds too', async () => {
    const grow = await task('grow', { memoryMb: 32 })
    const result = await pool.execute({ task: grow, input: { mib: 64 } })
    expect(result).toMatchObject({
      status: 'failed',
      error: { kind: 'limit_exceeded', message: 'the task reached its memory limit of 32 MiB' },
    })
    expect(await pool.execute({ task: grow, input: { mib: 8 } })).toMatchObject({
      status: 'succeeded',
      output: 130,
    })
  })

  test('exit(3) fails the attempt and the host lives', async () => {
    const quit = await task('quit')
    const result = await pool.execute({ task: quit, input: { code: 3 } })
    expect(result).toMatchObject({
      status: 'failed',
      error: { kind: 'trap', message: 'the task called exit with status 3: exit ends the attempt' },
    })
    expect(await pool.execute({ task: add, input: { a: 5, b: 5 } })).toMatchObject({
      status: 'succeeded',
      output: 10,
    })
  })

  test('reading /etc/hostname is denied: no directory is preopened', async () => {
    const read = await task('read-file')
    const result = await pool.execute({ task: read, input: {} })
    expect(result).toMatchObject({
      status: 'failed',
      error: {
        kind: 'task_error',
        message: 'no preopened directory: /etc/hostname cannot be opened',
      },
    })
  })

  test('the environment is empty', async () => {
    const count = await task('count-env')
    expect(await pool.execute({ task: count, input: {} })).toMatchObject({
      status: 'succeeded',
      output: 0,
    })
  })

  test('1 MiB of stdout is truncated to the log bound', async () => {
    const shout = await task('shout')
    const result = await pool.execute({ task: shout, input: { kib: 1024 } })
    expect(result.status).toBe('succeeded')
    const kept = 'x'.repeat(64 * 1024)
    expect(result.log).toBe(`${kept}\n[log truncated: ${1024 * 1024 - 64 * 1024} more bytes]`)
  })

  test('an output outside the declared schema fails as output_invalid', async () => {
    const small = await task('add', {
      declared: { output: { type: 'integer', minimum: 0, maximum: 10 } },
    })
    const result = await pool.execute({ task: small, input: { a: 7, b: 8 } })
    expect(result).toMatchObject({
      status: 'failed',
      error: {
        kind: 'output_invalid',
        message:
          "the output does not match the task's output schema: /: expected a number <= 10, found 15",
        details: { output: 15 },
      },
    })
  })

  test('an input outside the schema fails as input_invalid before the call', async () => {
    const result = await pool.execute({ task: add, input: { a: -1, b: 2 } })
    expect(result).toMatchObject({
      status: 'failed',
      error: {
        kind: 'input_invalid',
        details: {
          problems: [{ pointer: '/a', message: 'expected a number >= 0, found -1' }],
          problemCount: 1,
        },
      },
    })
  })
})

describe('instances', () => {
  test('a warm instance is reused between successful calls, and discarded after a trap', async () => {
    const solo = await WorkerPool.start({ cache, size: 1 })
    try {
      const tick = await task('tick')
      const call = async (fail: boolean) => {
        const result = await solo.execute({ task: tick, input: { fail } })
        return result.status === 'succeeded' ? result.output : result.error.kind
      }
      expect([await call(false), await call(false), await call(false)]).toEqual([1, 2, 3])
      expect(await call(true)).toBe('trap')
      expect([await call(false), await call(false)]).toEqual([1, 2])
    } finally {
      await solo.close()
    }
  })

  test('a timeout replaces the worker: the next instance starts fresh', async () => {
    const solo = await WorkerPool.start({ cache, size: 1 })
    try {
      const tick = await task('tick')
      const spin = await task('spin', { timeoutMs: 100 })
      await solo.execute({ task: tick, input: { fail: false } })
      await solo.execute({ task: tick, input: { fail: false } })
      expect(await solo.execute({ task: spin, input: {} })).toMatchObject({
        status: 'failed',
        error: { kind: 'timeout' },
      })
      expect(await solo.execute({ task: tick, input: { fail: false } })).toMatchObject({
        status: 'succeeded',
        output: 1,
      })
    } finally {
      await solo.close()
    }
  })
})
