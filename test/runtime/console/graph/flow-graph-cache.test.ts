import { describe, expect, test } from 'vitest'
import { FlowGraphCache } from '../../../../runtime/console/graph/index.js'
import type { FlowDocument } from '../../../../types/index.js'
import { everyKind } from './flow-documents.js'

const other: FlowDocument = { name: 'fulfil', steps: [{ id: 'only', set: 1 }] }

describe('FlowGraphCache', () => {
  test('a flow version is laid out once: the second get returns the same layout', () => {
    const cache = new FlowGraphCache()
    const first = cache.get('fulfil', 3, everyKind)
    expect(cache.get('fulfil', 3, everyKind)).toBe(first)
    // The key decides: a version's document is not laid out again.
    expect(cache.get('fulfil', 3, other)).toBe(first)
    const next = cache.get('fulfil', 4, other)
    expect(next).not.toBe(first)
    expect(next.nodes.map((n) => n.id)).toEqual(['start', 'only', 'end'])
    expect(cache.size).toBe(2)
  })

  test('bounded: the least recently used version goes first', () => {
    const cache = new FlowGraphCache({ maxEntries: 2 })
    const a = cache.get('a', 1, other)
    const b = cache.get('b', 1, other)
    expect(cache.get('a', 1, other)).toBe(a)
    cache.get('c', 1, other)
    expect(cache.size).toBe(2)
    expect(cache.get('a', 1, other)).toBe(a)
    const again = cache.get('b', 1, other)
    expect(again).not.toBe(b)
    expect(again).toEqual(b)
  })

  test('the bound must be a positive integer', () => {
    expect(() => new FlowGraphCache({ maxEntries: 0 })).toThrow(
      new RangeError('maxEntries must be a positive integer, got 0'),
    )
  })
})
