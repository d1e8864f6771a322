/**
 * A JavaScript task built by `weir task build` with `capabilities.env` reads
 * its variables as `process.env`, set afresh at each call from
 * `wasi:cli/environment`: the attempt's literal and (masked on the way out)
 * secret, and in the next attempt on the same warm instance, that attempt's.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { ComponentCache } from '../../../runtime/components/component-cache.js'
import type { AttemptEnvironment, ExecutableTask } from '../../../runtime/executor/executor.js'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import { executableTask, tempCache } from '../../fixtures/executor-harness.js'

const secret = 'tok_8f3a91c2d7e64b05'
const environment: AttemptEnvironment = {
  vars: [
    ['REGION', 'eu-west-1'],
    ['API_TOKEN', secret],
  ],
  secretValues: [secret],
}

let cache: ComponentCache
let pool: WorkerPool
let task: ExecutableTask

beforeAll(async () => {
  cache = tempCache()
  pool = await WorkerPool.start({ cache, size: 1 })
  const bytes = new Uint8Array(
    readFileSync(new URL('../../fixtures/js-env/dist/js-env.wasm', import.meta.url)),
  )
  task = await executableTask(cache, bytes, 'run')
})

afterAll(async () => {
  await pool.close()
})

describe('a JavaScript task with capabilities.env', () => {
  test('reads its variables as process.env; the secret leaves the worker masked, in output and log', async () => {
    expect(await pool.execute({ task, input: { say: true }, environment })).toEqual({
      status: 'succeeded',
      output: { region: 'eu-west-1', token: '***', names: ['REGION', 'API_TOKEN'] },
      log: 'token: ***\n',
      durationMs: expect.any(Number),
    })
  })

  test("each attempt sees its own variables on the warm instance, none without (not the host's)", async () => {
    const rotated = 'tok_rotated_5521aa90'
    expect(
      await pool.execute({
        task,
        input: {},
        environment: { vars: [['API_TOKEN', rotated]], secretValues: [rotated] },
      }),
    ).toMatchObject({
      status: 'succeeded',
      output: { region: '', token: '***', names: ['API_TOKEN'] },
    })
    expect(await pool.execute({ task, input: {} })).toMatchObject({
      status: 'succeeded',
      output: { region: '', token: '', names: [] },
    })
  })
})
