/**
 * An attempt's secret values are masked in the worker before anything else
 * sees them: its output (as is, base64, URL-encoded) before it is measured,
 * validated and posted — so masking that breaks the output schema fails the
 * attempt as `output_invalid`, saying so — its task error, and its log (also
 * where the log's limit cut a secret).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { ComponentCache } from '../../../runtime/components/component-cache.js'
import type { AttemptEnvironment, ExecutableTask } from '../../../runtime/executor/executor.js'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import { envComponent } from '../../fixtures/env-component.js'
import { executableTask, tempCache } from '../../fixtures/executor-harness.js'

const secret = 'sk_live_51HqLyjWDarjtT1zdp7dc'
const environment: AttemptEnvironment = {
  vars: [['STRIPE_KEY', secret]],
  secretValues: [secret],
}
const base64 = Buffer.from(secret).toString('base64')

let cache: ComponentCache
let pool: WorkerPool
let shortLog: WorkerPool
let bytes: Uint8Array
let echo: ExecutableTask
let say: ExecutableTask

beforeAll(async () => {
  cache = tempCache()
  pool = await WorkerPool.start({ cache, size: 1 })
  shortLog = await WorkerPool.start({ cache, size: 1, logLimit: 16 })
  bytes = await envComponent()
  echo = await executableTask(cache, bytes, 'echo')
  say = await executableTask(cache, bytes, 'say')
})

afterAll(async () => {
  await Promise.all([pool.close(), shortLog.close()])
})

describe('output masking', () => {
  test.each([
    ['the value', secret, '***'],
    ['inside a longer string', `Bearer ${secret}!`, 'Bearer ***!'],
    // Base64 characters that also encode bytes around the secret (or padding) stay.
    ['its base64', `Basic ${base64}`, 'Basic ***M='],
    [
      'its base64 inside a longer encoding',
      Buffer.from(`u:${secret}`).toString('base64'),
      'dTp***w==',
    ],
    ['its URL encoding', `token=${encodeURIComponent(`${secret} x`)}`, 'token=***'],
  ])('%s becomes ***', async (_, text, masked) => {
    const withSpace = text.includes('%20')
      ? { vars: environment.vars, secretValues: [`${secret} x`] }
      : environment
    expect(await pool.execute({ task: echo, input: { text }, environment: withSpace })).toEqual({
      status: 'succeeded',
      output: masked,
      log: '',
      durationMs: expect.any(Number),
    })
  })

  test('without secret values nothing is masked', async () => {
    expect(await pool.execute({ task: echo, input: { text: secret } })).toMatchObject({
      status: 'succeeded',
      output: secret,
    })
  })

  test('masking that breaks the output schema fails the attempt as output_invalid, saying so', async () => {
    const long = await executableTask(cache, bytes, 'echo', {
      declared: { output: { type: 'string', minLength: 20 } },
    })
    expect(await pool.execute({ task: long, input: { text: secret }, environment })).toEqual({
      status: 'failed',
      error: {
        kind: 'output_invalid',
        message:
          "the output does not match the task's output schema after masking secret values: /: expected at least 20 characters",
        details: {
          output: '***',
          problems: [{ pointer: '', message: 'expected at least 20 characters' }],
          problemCount: 1,
        },
      },
      log: '',
      durationMs: expect.any(Number),
    })
  })

  test('an output invalid before masking is output_invalid without that mention', async () => {
    const long = await executableTask(cache, bytes, 'echo', {
      declared: { output: { type: 'string', minLength: 20 } },
    })
    expect(await pool.execute({ task: long, input: { text: 'short' }, environment })).toMatchObject(
      {
        status: 'failed',
        error: {
          kind: 'output_invalid',
          message:
            "the output does not match the task's output schema: /: expected at least 20 characters",
        },
      },
    )
  })

  test("a task error's payload and message are masked", async () => {
    const fail = await executableTask(cache, bytes, 'fail')
    expect(
      await pool.execute({ task: fail, input: { text: `declined for ${secret}` }, environment }),
    ).toEqual({
      status: 'failed',
      error: { kind: 'task_error', message: 'declined for ***', details: 'declined for ***' },
      log: '',
      durationMs: expect.any(Number),
    })
  })
})

describe('log masking', () => {
  test('what the task writes is masked, as is and base64', async () => {
    expect(
      await pool.execute({
        task: say,
        input: { text: `key=${secret} b64=${base64}\n` },
        environment,
      }),
    ).toMatchObject({ status: 'succeeded', log: 'key=*** b64=***M=\n' })
  })

  test('a log cut by its limit in the middle of a secret masks the start that was kept', async () => {
    expect(
      await shortLog.execute({ task: say, input: { text: `key=${secret}` }, environment }),
    ).toMatchObject({
      status: 'succeeded',
      log: `key=***\n[log truncated: ${4 + secret.length - 16} more bytes]`,
    })
  })
})
