/** Shared helpers of the checker tests: a base flow and an exact assertion on problems. */
import { expect } from 'vitest'
import { checkFlow, type FlowCheck, type Problem } from '../../../types/index.js'
import { resolveFixture, resolveFlowFixture } from '../../fixtures/tasks.js'

export interface Expected {
  pointer: string
  code: Problem['code']
  /** Words the message must contain. */
  words: string[]
}

export const baseInput = {
  type: 'object',
  required: ['id', 'n'],
  properties: {
    id: { type: 'string' },
    n: { type: 'integer', minimum: 0, maximum: 10 },
    opt: { type: 'string' },
    x: { type: 'number' },
  },
}

/** A flow named `f` with the base input schema and the given steps (and other fields). */
export function flowOf(
  steps: unknown[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { name: 'f', input: baseInput, steps, ...extra }
}

const byPlace = (a: { pointer: string; code: string }, b: { pointer: string; code: string }) =>
  `${a.pointer} ${a.code}`.localeCompare(`${b.pointer} ${b.code}`)

/** Asserts that checking `doc` fails with exactly the expected problems (pointer and code), with those words. */
export function expectProblems(doc: unknown, expected: Expected[]): Problem[] {
  const result = checkFlow(doc, resolveFixture, { resolveFlow: resolveFlowFixture })
  expect(result.ok).toBe(false)
  if (result.ok) return []
  const actual = result.problems.map(({ pointer, code }) => ({ pointer, code })).sort(byPlace)
  expect(actual).toEqual(expected.map(({ pointer, code }) => ({ pointer, code })).sort(byPlace))
  const seen = new Map<string, number>()
  for (const e of expected) {
    const key = `${e.pointer} ${e.code}`
    const nth = seen.get(key) ?? 0
    seen.set(key, nth + 1)
    const problem = result.problems.filter((p) => p.pointer === e.pointer && p.code === e.code)[nth]
    for (const word of e.words) expect(problem?.message).toContain(word)
  }
  return result.problems
}

/** Asserts that checking `doc` succeeds and returns the result. */
export function expectValid(doc: unknown): Extract<FlowCheck, { ok: true }> {
  const result = checkFlow(doc, resolveFixture, { resolveFlow: resolveFlowFixture })
  if (!result.ok) expect(result.problems).toEqual([])
  expect(result.ok).toBe(true)
  return result as Extract<FlowCheck, { ok: true }>
}
