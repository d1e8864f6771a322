/** The fair queue's decisions: which group's attempt starts next, what may be pipelined, when attempts are taken back. */
import { describe, expect, test } from 'vitest'
import { FairQueue } from '../../../runtime/executor/fair-queue.js'

/** Queues `items` ("a1" is the first attempt of group a), in order. */
function queued(cap: number, items: string[]): FairQueue<string> {
  const queue = new FairQueue<string>(cap)
  for (const item of items) queue.push(item.slice(0, 1), item)
  return queue
}

/** Takes attempts until none may start, each one holding a worker of its group. */
function takeAll(queue: FairQueue<string>, release: (item: string) => boolean): string[] {
  const order: string[] = []
  for (let next = queue.next(); next; next = queue.next()) {
    order.push(next.item)
    queue.hold(next.group)
    if (release(next.item)) queue.release(next.group)
  }
  return order
}

describe('fair queue', () => {
  test.each([
    {
      name: 'one group keeps its FIFO order',
      items: ['a1', 'a2', 'a3'],
      order: ['a1', 'a2', 'a3'],
    },
    {
      name: 'groups alternate, whatever order they queued in',
      items: ['a1', 'a2', 'a3', 'a4', 'b1', 'b2', 'c1'],
      order: ['a1', 'b1', 'c1', 'a2', 'b2', 'a3', 'a4'],
    },
    {
      name: 'a group that came late goes before one that already started',
      items: ['a1', 'a2', 'a3', 'b1'],
      order: ['a1', 'b1', 'a2', 'a3'],
    },
  ])('$name', ({ items, order }) => {
    // Every attempt finishes as soon as it starts: only the order between groups matters.
    expect(takeAll(queued(1, items), () => true)).toEqual(order)
  })

  test('a group holds at most `cap` workers; the others go on meanwhile', () => {
    const queue = queued(2, ['a1', 'a2', 'a3', 'b1', 'b2', 'b3', 'b4'])
    // Nothing finishes: a and b each take two workers, then nothing more may start.
    expect(takeAll(queue, () => false)).toEqual(['a1', 'b1', 'a2', 'b2'])
    expect(queue.size).toBe(3)
    expect([queue.busy('a'), queue.busy('b')]).toEqual([2, 2])
    queue.release('b')
    expect(queue.next()).toEqual({ group: 'b', item: 'b3' })
  })

  test('a cap below one is one', () => {
    const queue = queued(0, ['a1', 'a2'])
    expect(takeAll(queue, () => false)).toEqual(['a1'])
  })

  test('only the sole waiting group may pipeline', () => {
    const queue = queued(1, ['a1', 'a2', 'a3'])
    expect(queue.next()?.item).toBe('a1')
    queue.hold('a')
    expect(queue.nextOf('a')).toBe('a2')
    expect(queue.nextOf('b')).toBeUndefined()
    queue.push('b', 'b1')
    expect(queue.nextOf('a')).toBeUndefined()
    expect(queue.othersCouldStart('a')).toBe(true)
    expect(queue.othersCouldStart('b')).toBe(false)
  })

  test('a group at its cap cannot start, so nothing is taken back for it', () => {
    const queue = queued(1, ['a1', 'b1', 'b2'])
    queue.hold('b')
    expect(queue.othersCouldStart('a')).toBe(false)
    expect(queue.othersCouldStart('b')).toBe(true)
  })

  test('an attempt taken back goes first in its group; a removed one is gone', () => {
    const queue = queued(1, ['a1', 'a2', 'a3'])
    const first = queue.next()
    expect(first?.item).toBe('a1')
    queue.requeue('a', 'a1')
    expect(queue.remove('a', 'a2')).toBe(true)
    expect(queue.remove('a', 'a2')).toBe(false)
    expect(queue.size).toBe(2)
    expect(queue.drain()).toEqual(['a1', 'a3'])
    expect(queue.size).toBe(0)
    expect(queue.next()).toBeUndefined()
  })
})
