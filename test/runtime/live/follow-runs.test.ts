/**
 * followRuns against a real libSQL store whose clock the test sets (a run
 * change's time is the writing node's clock): runs as they are created and
 * change, filters, resuming after a cursor, changes that land late, paging,
 * and stopping.
 */
import { describe, expect, test } from 'vitest'
import { followRuns, type RunUpdate } from '../../../runtime/live/follow-runs.js'
import { decodeRunsCursor, encodeRunsCursor } from '../../../runtime/live/runs-cursor.js'
import { completion, newRun, running } from '../../fixtures/store-records.js'
import { storePerTest } from '../../fixtures/test-stores.js'

let clock = 0
const current = storePerTest('libsql', { now: () => clock })

const brief = (update: RunUpdate) => [update.run.id, update.run.status, update.cursor]
const cursor = (updatedAt: number, id: string) => encodeRunsCursor({ updatedAt, id })

/** What the stream yields within `ms`, as brief rows; the stream is stopped after. */
async function within(
  updates: AsyncGenerator<RunUpdate, void>,
  stop: AbortController,
  ms: number,
): Promise<unknown[]> {
  const rows: unknown[] = []
  const timer = setTimeout(() => stop.abort(), ms)
  for await (const update of updates) rows.push(brief(update))
  clearTimeout(timer)
  return rows
}

describe('followRuns', () => {
  test('runs created and changed after the start, oldest change first; a change that lands late once', async () => {
    await current().createRun(newRun('old', 4000))
    const stop = new AbortController()
    const updates = followRuns(current(), {}, { now: () => 5000, pollMs: 5, signal: stop.signal })
    await current().createRun(newRun('new', 5001))
    expect(brief((await updates.next()).value as RunUpdate)).toEqual([
      'new',
      'running',
      cursor(5001, 'new'),
    ])
    clock = 6000
    await current().commit([completion('new', { n: 1 })])
    expect(brief((await updates.next()).value as RunUpdate)).toEqual([
      'new',
      'completed',
      cursor(6000, 'new'),
    ])
    // A node whose clock is half a second behind: its change comes, with the newest cursor.
    clock = 5500
    await current().commit([completion('old', { n: 2 })])
    expect(brief((await updates.next()).value as RunUpdate)).toEqual([
      'old',
      'completed',
      cursor(6000, 'new'),
    ])
    // Polls go on reading those changes again (they are in the window): none comes twice.
    expect(await within(updates, stop, 100)).toEqual([])
  })

  test('resuming after a cursor gives each run changed since, once, as it is now', async () => {
    await current().createRun(newRun('a', 1000))
    await current().createRun(newRun('b', 1000))
    await current().createRun(newRun('c', 1001))
    clock = 3000
    await current().commit([completion('a', { n: 1 })])
    const stop = new AbortController()
    const updates = followRuns(current(), {}, { since: cursor(1000, 'a'), signal: stop.signal })
    expect(await within(updates, stop, 100)).toEqual([
      ['b', 'running', cursor(1000, 'b')],
      ['c', 'running', cursor(1001, 'c')],
      ['a', 'completed', cursor(3000, 'a')],
    ])
  })

  test("the list's filters apply: flow, process, status, parent, creation time", async () => {
    await current().createRun(newRun('f1', 1000))
    await current().createRun(newRun('g1', 1001, { flow: { name: 'g', version: 1 } }))
    await current().createRun(newRun('p1', 1002, { process: 'billing/eu' }))
    await current().createRun(newRun('s1', 1003, { process: 'shipping' }))
    clock = 1004
    await current().commit([completion('f1', { n: 1 })])
    const since = cursor(0, '')
    const ids = async (filter: Parameters<typeof followRuns>[1]) => {
      const stop = new AbortController()
      const rows = await within(
        followRuns(current(), filter, { since, signal: stop.signal }),
        stop,
        50,
      )
      return rows.map((row) => (row as string[])[0])
    }
    expect(await ids({})).toEqual(['g1', 'p1', 's1', 'f1'])
    expect(await ids({ flow: 'g' })).toEqual(['g1'])
    expect(await ids({ process: 'billing' })).toEqual(['g1', 'p1', 'f1'])
    expect(await ids({ status: 'completed' })).toEqual(['f1'])
    expect(await ids({ from: 1001, to: 1002 })).toEqual(['g1', 'p1'])
    expect(await ids({ parent: 'f1' })).toEqual([])
  })

  test('more changes than a page come whole; two changes in one millisecond come both', async () => {
    for (let i = 0; i < 5; i++) await current().createRun(newRun(`r${i}`, 2000 + (i % 2)))
    const stop = new AbortController()
    const updates = followRuns(
      current(),
      {},
      {
        since: cursor(1999, ''),
        pageSize: 2,
        pollMs: 5,
        signal: stop.signal,
      },
    )
    const first: unknown[] = []
    for (let i = 0; i < 5; i++) first.push(brief((await updates.next()).value as RunUpdate))
    expect(first).toEqual([
      ['r0', 'running', cursor(2000, 'r0')],
      ['r2', 'running', cursor(2000, 'r2')],
      ['r4', 'running', cursor(2000, 'r4')],
      ['r1', 'running', cursor(2001, 'r1')],
      ['r3', 'running', cursor(2001, 'r3')],
    ])
    clock = 2500
    await current().commit([
      {
        runId: 'r0',
        progress: { ...running, eventSeq: 2 },
        events: [{ type: 'step_started', at: 2500, stepId: 'a', data: {} }],
      },
    ])
    expect(brief((await updates.next()).value as RunUpdate)).toEqual([
      'r0',
      'running',
      cursor(2500, 'r0'),
    ])
    const done = completion('r0', { n: 1 })
    await current().commit([{ ...done, progress: { ...done.progress, eventSeq: 4 } }])
    expect(brief((await updates.next()).value as RunUpdate)).toEqual([
      'r0',
      'completed',
      cursor(2500, 'r0'),
    ])
    stop.abort()
    expect(await updates.next()).toEqual({ done: true, value: undefined })
  })

  test('a cursor this API did not make is refused; cursors are base64url', async () => {
    await expect(followRuns(current(), {}, { since: 'garbage' }).next()).rejects.toThrow(
      'cursor "garbage" is not one this API gave out',
    )
    const made = cursor(1_700_000_000_000, '01HZX3K6Q2V7W8Y9Z0ABCDEFGH')
    expect(made).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(decodeRunsCursor(made)).toEqual({
      updatedAt: 1_700_000_000_000,
      id: '01HZX3K6Q2V7W8Y9Z0ABCDEFGH',
    })
    const listCursor = Buffer.from(JSON.stringify([1, 'x'])).toString('base64url')
    expect(() => decodeRunsCursor(listCursor)).toThrow(`cursor "${listCursor}" is not one`)
  })

  test('the signal stops a stream waiting between polls', async () => {
    const stop = new AbortController()
    const updates = followRuns(current(), {}, { pollMs: 60_000, signal: stop.signal })
    const next = updates.next()
    const started = performance.now()
    setTimeout(() => stop.abort(), 20)
    expect(await next).toEqual({ done: true, value: undefined })
    expect(performance.now() - started).toBeLessThan(5000)
  })
})
