/**
 * Signals between nodes on PostgreSQL (LISTEN/NOTIFY): a request stored
 * through one node's store is signalled, with its run's id, to the listeners
 * of another node's store, and its answer with the request's id; a listening
 * connection that dies is opened again and signals arrive again. On libSQL
 * they stay within one store object and say they are not live.
 */
import pg from 'pg'
import { afterEach, describe, expect, test } from 'vitest'
import type { SqlStore } from '../../../../runtime/store/index.js'
import type { SignalTopic } from '../../../../runtime/store/signals.js'
import { newRun } from '../../../fixtures/store-records.js'
import { freshDatabase, openTestStore } from '../../../fixtures/test-stores.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The next subject signalled on `topic` at `store`, or 'none' after `ms`. */
function nextSignal(store: SqlStore, topic: SignalTopic, ms = 5000): Promise<string> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      off()
      resolve('none')
    }, ms)
    const off = store.signals.on(topic, (subject) => {
      clearTimeout(timer)
      off()
      resolve(subject)
    })
  })
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await sleep(20)
  }
}

const request = (id: string, runId: string) => ({
  id,
  runId,
  kind: 'cancel' as const,
  body: {},
  createdAt: 1,
})

describe('signals between nodes on postgresql', () => {
  const stores: SqlStore[] = []
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()))
  })

  async function twoNodes(): Promise<[SqlStore, SqlStore, string]> {
    const url = await freshDatabase('postgres')
    const a = await openTestStore('postgres', url)
    const b = await openTestStore('postgres', url)
    stores.push(a, b)
    return [a, b, url]
  }

  test('a stored request and its answer are signalled to the other node', async () => {
    const [a, b] = await twoNodes()
    await a.createRun(newRun('r1', 1, { owner: { node: 'node-a', leaseMs: 60_000 } }))
    const requested = nextSignal(a, 'run_request')
    await until(() => a.signals.live)
    await b.addRunRequest(request('q1', 'r1'))
    expect(await requested).toBe('r1')
    const answered = nextSignal(b, 'run_answer')
    await until(() => b.signals.live)
    await a.answerRunRequest('q1', { ok: true, value: null }, 2)
    expect(await answered).toBe('q1')
  })

  test('a listening connection that dies is opened again, and signals arrive again', async () => {
    const [a, b, url] = await twoNodes()
    const first = nextSignal(a, 'run_request')
    await until(() => a.signals.live)
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    try {
      const killed = await admin.query(
        "SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND datname = current_database()",
      )
      expect(killed.rows).toEqual([{ done: true }])
    } finally {
      await admin.end()
    }
    await until(() => !a.signals.live)
    await until(() => a.signals.live)
    await b.addRunRequest(request('q2', 'r2'))
    expect(await first).toBe('r2')
  })
})

describe('signals on libsql', () => {
  test('reach the listeners of the same store only, and are not live', async () => {
    const url = await freshDatabase('libsql')
    const a = await openTestStore('libsql', url)
    const b = await openTestStore('libsql', url)
    try {
      const other = nextSignal(b, 'run_request', 300)
      const same = nextSignal(a, 'run_request')
      await a.addRunRequest(request('q1', 'r1'))
      expect([await same, await other, a.signals.live]).toEqual(['r1', 'none', false])
    } finally {
      await Promise.all([a.close(), b.close()])
    }
  })
})
