/**
 * A task's environment reaches it for one attempt only, through
 * `wasi:cli/environment` and `wasi:config/store` (both draft versions): the
 * vars the engine resolved for that attempt, secrets opened — and nothing of
 * the host's own environment. A warm instance reused by the next attempt sees
 * that attempt's vars.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { ComponentCache } from '../../../runtime/components/component-cache.js'
import type { AttemptEnvironment } from '../../../runtime/executor/executor.js'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import { configVersions, envComponent } from '../../fixtures/env-component.js'
import { executableTask, tempCache } from '../../fixtures/executor-harness.js'

const secret = 'sk_live_51HqLyjWDarjtT1zdp7dc'
const environment: AttemptEnvironment = {
  vars: [
    ['REGION', 'eu-west-1'],
    ['STRIPE_KEY', secret],
  ],
  secretValues: [secret],
}

let cache: ComponentCache
let pool: WorkerPool

beforeAll(async () => {
  cache = tempCache()
  // One worker: every attempt of a task runs on the same warm instance.
  pool = await WorkerPool.start({ cache, size: 1 })
})

afterAll(async () => {
  await pool.close()
})

describe('wasi:cli/environment', () => {
  test("an attempt sees its vars; the next attempt without environment sees none (not the host's)", async () => {
    expect(Object.keys(process.env).length).toBeGreaterThan(0)
    const env = await executableTask(cache, await envComponent(), 'env')
    const literal = { vars: [['REGION', 'eu-west-1']], secretValues: [] } as const
    expect(await pool.execute({ task: env, input: {}, environment: literal })).toMatchObject({
      status: 'succeeded',
      output: [['REGION', 'eu-west-1']],
      log: '',
    })
    expect(await pool.execute({ task: env, input: {} })).toMatchObject({
      status: 'succeeded',
      output: [],
    })
    expect(
      await pool.execute({
        task: env,
        input: {},
        environment: { vars: [['A', 'b']], secretValues: [] },
      }),
    ).toMatchObject({
      status: 'succeeded',
      output: [['A', 'b']],
    })
  })

  test('the task reads the secret; what leaves the worker has it masked', async () => {
    const env = await executableTask(cache, await envComponent(), 'env')
    expect(await pool.execute({ task: env, input: {}, environment })).toMatchObject({
      status: 'succeeded',
      output: [
        ['REGION', 'eu-west-1'],
        ['STRIPE_KEY', '***'],
      ],
    })
  })
})

describe.each(configVersions)('wasi:config/store@%s', (version) => {
  test('get answers a var, and none for an unknown key; get-all answers them all', async () => {
    const bytes = await envComponent(version)
    const config = await executableTask(cache, bytes, 'config')
    const all = await executableTask(cache, bytes, 'config-all')
    expect(
      await pool.execute({ task: config, input: { key: 'REGION' }, environment }),
    ).toMatchObject({ status: 'succeeded', output: 'eu-west-1' })
    expect(
      await pool.execute({ task: config, input: { key: 'MISSING' }, environment }),
    ).toMatchObject({ status: 'succeeded', output: null })
    expect(
      await pool.execute({ task: config, input: { key: 'STRIPE_KEY' }, environment }),
    ).toMatchObject({ status: 'succeeded', output: '***' })
    expect(await pool.execute({ task: config, input: { key: 'REGION' } })).toMatchObject({
      status: 'succeeded',
      output: null,
    })
    expect(await pool.execute({ task: all, input: {}, environment })).toMatchObject({
      status: 'succeeded',
      output: [
        ['REGION', 'eu-west-1'],
        ['STRIPE_KEY', '***'],
      ],
    })
    expect(await pool.execute({ task: all, input: {} })).toMatchObject({
      status: 'succeeded',
      output: [],
    })
  })
})
