/** A task's environment is resolved by the engine at each attempt; a secret it cannot open fails the attempt. */
import { afterAll, beforeAll, expect, test } from 'vitest'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import { Secrets } from '../../../runtime/secrets/secrets.js'
import { type Harness, harness } from '../../fixtures/engine-harness.js'
import { publishEngineTasks } from '../../fixtures/engine-tasks.js'
import { tempCache } from '../../fixtures/executor-harness.js'

let pool: WorkerPool
let h: Harness

beforeAll(async () => {
  const cache = tempCache()
  pool = await WorkerPool.start({ cache, size: 1 })
  h = await harness(pool, cache)
  await publishEngineTasks(h.catalog)
})

afterAll(async () => {
  await h.close()
  await pool.close()
})

test('an attempt whose secret cannot be read fails as internal, naming the secret and the variable', async () => {
  const secrets = await Secrets.open(h.store, new Uint8Array(32).fill(9))
  await secrets.set('api-token', 'tok_0123456789')
  const inc = await h.store.getTask('inc')
  await h.catalog.publishTask({
    name: 'with-env',
    export: 'inc',
    component: inc?.document.component,
    capabilities: { env: { REGION: 'eu', TOKEN: { secret: 'api-token' } } },
  })
  await h.catalog.publishFlow({
    name: 'uses-env',
    steps: [{ id: 'a', task: 'with-env', input: { n: 1 } }],
  })
  const { run } = await h.engine.startRun('uses-env', {})
  const done = await h.engine.waitForRun(run.id, 5000)
  expect(done?.error).toMatchObject({
    kind: 'internal',
    message:
      'secret "api-token" of variable TOKEN cannot be read: it is not set, or was sealed with another key',
  })
})
