/**
 * Progress of long work: a line every few seconds when the output is not a
 * terminal, a spinner redrawn and wiped on one; and work spread over at most
 * so many at once, its results in the items' order.
 */
import { afterEach, expect, test, vi } from 'vitest'
import { eachConcurrently, withProgress } from '../../runtime/progress.js'

afterEach(() => {
  vi.useRealTimers()
})

function output(isTTY: boolean) {
  const written: string[] = []
  return { isTTY, written, write: (text: string) => written.push(text) }
}

test('not on a terminal: a line every few seconds naming what is still going', async () => {
  vi.useFakeTimers()
  const out = output(false)
  let finish = () => {}
  const work = new Promise<string>((resolve) => {
    finish = () => resolve('built')
  })
  let label = 'building a, b'
  const shown = withProgress(() => label, work, out, 5000)
  await vi.advanceTimersByTimeAsync(5000)
  label = 'building b'
  await vi.advanceTimersByTimeAsync(5000)
  finish()
  expect(await shown).toBe('built')
  await vi.advanceTimersByTimeAsync(20_000)
  expect(out.written).toEqual([
    'building a, b: still going, 5 s\n',
    'building b: still going, 10 s\n',
  ])
})

test('on a terminal: a spinner with the seconds, wiped when the work ends', async () => {
  vi.useFakeTimers()
  const out = output(true)
  const shown = withProgress(
    () => 'building x',
    new Promise((resolve) => setTimeout(resolve, 250)),
    out,
  )
  await vi.advanceTimersByTimeAsync(300)
  await shown
  expect(out.written).toEqual(['\r\x1b[K⠋ building x 0 s', '\r\x1b[K⠙ building x 0 s', '\r\x1b[K'])
})

test('work on many items runs at most so many at once; results keep the items order', async () => {
  let running = 0
  let most = 0
  const results = await eachConcurrently([30, 10, 20, 5, 15], 2, async (ms, i) => {
    running++
    most = Math.max(most, running)
    await new Promise((r) => setTimeout(r, ms))
    running--
    return `${i}:${ms}`
  })
  expect([results, most]).toEqual([['0:30', '1:10', '2:20', '3:5', '4:15'], 2])
})
