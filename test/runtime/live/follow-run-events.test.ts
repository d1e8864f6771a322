/** followRunEvents against a real libSQL store: history, live events, the end, paging and stopping. */
import { describe, expect, test } from 'vitest'
import { followRunEvents } from '../../../runtime/live/follow-run-events.js'
import type { EventRecord } from '../../../runtime/store/records.js'
import { completion, newRun, running } from '../../fixtures/store-records.js'
import { storePerTest } from '../../fixtures/test-stores.js'

const current = storePerTest('libsql')

/** A change that adds one step_started event, the run's `seq`th. */
const stepStarted = (runId: string, seq: number) => ({
  runId,
  progress: { ...running, eventSeq: seq },
  events: [{ type: 'step_started' as const, at: 100 + seq, stepId: 'a', data: { seq } }],
})

/** The change that completes a run with its `eventSeq - 1`th and `eventSeq`th events. */
const finish = (runId: string, eventSeq: number) => {
  const change = completion(runId, { n: 1 })
  return { ...change, progress: { ...change.progress, eventSeq } }
}

const brief = (event: EventRecord) => [event.seq, event.type]

describe('followRunEvents', () => {
  test("a finished run's events, all or after a seq, then the finished run", async () => {
    await current().createRun(newRun('r', 1))
    await current().commit([finish('r', 3)])
    const all: EventRecord[] = []
    const events = followRunEvents(current(), 'r')
    let next = await events.next()
    for (; !next.done; next = await events.next()) all.push(next.value)
    expect(all.map(brief)).toEqual([
      [1, 'run_started'],
      [2, 'step_succeeded'],
      [3, 'run_completed'],
    ])
    expect(next.value?.status).toBe('completed')
    const after: EventRecord[] = []
    for await (const event of followRunEvents(current(), 'r', { after: 2 })) after.push(event)
    expect(after.map(brief)).toEqual([[3, 'run_completed']])
  })

  test('events come as they are written, and the stream ends after the last', async () => {
    await current().createRun(newRun('r', 1))
    const events = followRunEvents(current(), 'r', { pollMs: 5 })
    expect((await events.next()).value).toEqual({
      seq: 1,
      type: 'run_started',
      at: 1,
      stepId: undefined,
      data: {},
    })
    const second = events.next()
    await current().commit([stepStarted('r', 2)])
    expect(await second).toEqual({
      done: false,
      value: { seq: 2, type: 'step_started', at: 102, stepId: 'a', data: { seq: 2 } },
    })
    const third = events.next()
    await current().commit([finish('r', 4)])
    expect(brief((await third).value as EventRecord)).toEqual([3, 'step_succeeded'])
    expect(brief((await events.next()).value as EventRecord)).toEqual([4, 'run_completed'])
    const end = await events.next()
    expect([end.done, (end.value as { status: string }).status]).toEqual([true, 'completed'])
  })

  test('a history longer than a page comes whole, in order', async () => {
    await current().createRun(newRun('r', 1))
    for (let seq = 2; seq <= 6; seq++) await current().commit([stepStarted('r', seq)])
    await current().commit([finish('r', 8)])
    const seqs: number[] = []
    for await (const event of followRunEvents(current(), 'r', { pageSize: 2 })) seqs.push(event.seq)
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
  })

  test('the signal stops a stream that waits for events; a run that does not exist ends it', async () => {
    await current().createRun(newRun('r', 1))
    const stop = new AbortController()
    const events = followRunEvents(current(), 'r', { pollMs: 60_000, signal: stop.signal })
    expect((await events.next()).value).toMatchObject({ seq: 1 })
    const waiting = events.next()
    const started = performance.now()
    setTimeout(() => stop.abort(), 20)
    expect(await waiting).toEqual({ done: true, value: undefined })
    expect(performance.now() - started).toBeLessThan(5000)
    expect(await followRunEvents(current(), 'missing').next()).toEqual({
      done: true,
      value: undefined,
    })
  })
})
