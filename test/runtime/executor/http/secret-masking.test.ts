/**
 * Outbound HTTP of an attempt with secret values (test/fixtures/js-http
 * against a loopback server): a secret in a request's path is masked in the
 * attempt's HTTP log line, as it is in the output that echoes it.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { ComponentCache } from '../../../../runtime/components/component-cache.js'
import type { ExecutableTask } from '../../../../runtime/executor/executor.js'
import { WorkerPool } from '../../../../runtime/executor/worker-pool.js'
import { executableTask, tempCache } from '../../../fixtures/executor-harness.js'
import { httpServer, type TestServer } from '../../../fixtures/http-servers.js'

const secret = 'acct_7Qm2xK9pLw4R'

let cache: ComponentCache
let pool: WorkerPool
let api: TestServer
let task: ExecutableTask

beforeAll(async () => {
  api = await httpServer((req, _body, res) => res.end(`you asked for ${req.url}`))
  cache = tempCache()
  pool = await WorkerPool.start({ cache, size: 1 })
  const bytes = new Uint8Array(
    readFileSync(new URL('../../../fixtures/js-http/dist/fetch-json.wasm', import.meta.url)),
  )
  task = await executableTask(cache, bytes, 'run', {
    capabilities: { http: { allow: [`http://127.0.0.1:${api.port}`] } },
  })
})

afterAll(async () => {
  await pool.close()
  await api.close()
})

describe('HTTP log lines of an attempt with secrets', () => {
  test('a secret in the path is *** in the log line and in the output', async () => {
    const path = `/accounts/${secret}/balance`
    const result = await pool.execute({
      task,
      input: { url: `http://127.0.0.1:${api.port}${path}` },
      environment: { vars: [['ACCOUNT', secret]], secretValues: [secret] },
    })
    expect(result).toMatchObject({
      status: 'succeeded',
      output: {
        status: 200,
        url: `http://127.0.0.1:${api.port}/accounts/***/balance`,
        body: 'you asked for /accounts/***/balance',
      },
    })
    // The byte count is of what was received.
    const bytes = `you asked for ${path}`.length
    expect(result.log).toMatch(
      new RegExp(
        `^http GET http://127.0.0.1:${api.port}/accounts/\\*\\*\\*/balance 200 ${bytes} B \\d+ ms\\n$`,
      ),
    )
  })
})
