/** The bound on open live streams: slots taken up to the maximum, refused past it, given back once. */
import { expect, test } from 'vitest'
import { WeirError } from '../../../runtime/errors.js'
import { processStreams, StreamSlots } from '../../../runtime/live/stream-slots.js'

test('slots are taken up to the maximum, refused past it with unavailable, and given back once', () => {
  const slots = new StreamSlots(2)
  const first = slots.take()
  slots.take()
  expect(slots.open).toBe(2)
  const refused = (() => {
    try {
      slots.take()
    } catch (error) {
      return error
    }
    return undefined
  })()
  expect(refused).toBeInstanceOf(WeirError)
  expect([
    (refused as WeirError).code,
    (refused as WeirError).status,
    (refused as Error).message,
  ]).toEqual([
    'unavailable',
    503,
    'this server has 2 live streams open, its limit; try again later',
  ])
  first()
  first()
  expect(slots.open).toBe(1)
  slots.take()
  expect(slots.open).toBe(2)
  expect(processStreams.max).toBe(200)
})
