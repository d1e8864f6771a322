/**
 * Expressions cannot stall the engine: `matches` is linear (RE2), an
 * evaluation that spends its budget or makes a value over the limits fails
 * its run as `limit_exceeded` (with the expression and where it is), a guard
 * that does so refuses the start, and flows stored with patterns RE2 refuses
 * still load, are listed, and fail clearly where the pattern is used.
 */
import { afterAll, beforeAll, expect, test } from 'vitest'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import type { FlowDocument } from '../../../types/index.js'
import { type Harness, harness } from '../../fixtures/engine-harness.js'
import { publishEngineTasks } from '../../fixtures/engine-tasks.js'
import { tempCache } from '../../fixtures/executor-harness.js'

let pool: WorkerPool
let h: Harness

const input = {
  type: 'object',
  required: ['s', 'l'],
  properties: {
    s: { type: 'string', maxLength: 100_000 },
    l: { type: 'array', items: { type: 'integer' }, maxItems: 10_000 },
  },
}

const poison = {
  name: 'poison',
  input,
  steps: [
    {
      id: 'a',
      task: 'inc',
      input: { n: 1 },
      next: [{ if: 'input.s.matches("^(a|aa)+$")', goto: 'b' }],
    },
    { id: 'c', task: 'inc', input: { n: 3 }, next: 'end' },
    { id: 'b', task: 'inc', input: { n: 2 } },
  ],
  output: { n: '${steps.c.output}' },
}

const bomb = {
  name: 'bomb',
  input,
  steps: [
    {
      id: 'a',
      task: 'inc',
      input: { n: 1 },
      next: [
        {
          if: 'input.l.all(x, input.l.all(y, input.l.all(z, x + y + z >= 0)))',
          goto: 'end',
        },
      ],
    },
  ],
}

const greedy = {
  name: 'greedy',
  input,
  steps: [{ id: 'a', task: 'inc', input: { n: 1 } }],
  output: { many: '${input.l.map(x, input.s)}' },
}

const poisonGuard = {
  name: 'poison-guard',
  input,
  triggers: [{ http: true, when: 'input.s.matches("^(a|aa)+$")' }],
  steps: [{ id: 'a', task: 'inc', input: { n: 1 } }],
}

const guarded = {
  name: 'guarded-bomb',
  input,
  triggers: [
    { http: true, when: 'input.l.all(x, input.l.all(y, input.l.all(z, x + y + z >= 0)))' },
  ],
  steps: [{ id: 'a', task: 'inc', input: { n: 1 } }],
}

beforeAll(async () => {
  const cache = tempCache()
  pool = await WorkerPool.start({ cache, size: 1 })
  h = await harness(pool, cache, {
    limits: { maxCost: 100_000, value: { maxDepth: 64, maxBytes: 64 * 1024 } },
  })
  await publishEngineTasks(h.catalog)
  for (const flow of [poison, bomb, greedy, guarded, poisonGuard]) await h.catalog.publishFlow(flow)
})

afterAll(async () => {
  await h.close()
  await pool.close()
})

const list = Array.from({ length: 250 }, (_, i) => i)

test('the poison pattern of a condition answers at once and the run goes on', async () => {
  const started = performance.now()
  const { run } = await h.engine.startRun('poison', { s: `${'a'.repeat(46)}!`, l: [] })
  const done = await h.engine.waitForRun(run.id, 5000)
  expect(done).toMatchObject({ status: 'completed', output: { n: 4 } })
  expect(performance.now() - started).toBeLessThan(2000)
})

test('a condition over its budget fails the run as limit_exceeded with the expression', async () => {
  const { run } = await h.engine.startRun('bomb', { s: '', l: list })
  const other = await h.engine.startRun('poison', { s: 'b', l: [] })
  const done = await h.engine.waitForRun(run.id, 5000)
  expect(done?.status).toBe('failed')
  expect(done?.error).toEqual({
    step: 'a',
    task: 'inc@1',
    kind: 'limit_exceeded',
    message:
      'cannot evaluate the condition at /steps/0/next/0/if ("input.l.all(x, input.l.all(y, input.l.all(z, x + y + z >= 0)))"): the expression exceeded its budget of 100000 cost units (WEIR_MAX_EXPRESSION_COST)',
    details: {
      code: 'expression_limit',
      limit: 100_000,
      pointer: '/steps/0/next/0/if',
      expression: 'input.l.all(x, input.l.all(y, input.l.all(z, x + y + z >= 0)))',
    },
    attempt: 1,
  })
  expect((await h.engine.waitForRun(other.run.id, 5000))?.status).toBe('completed')
})

test('an output template over the value limit fails the run as limit_exceeded', async () => {
  const { run } = await h.engine.startRun('greedy', { s: 'x'.repeat(1000), l: list })
  const done = await h.engine.waitForRun(run.id, 5000)
  expect(done?.status).toBe('failed')
  expect(done?.error).toMatchObject({
    kind: 'limit_exceeded',
    details: {
      code: 'value_too_large',
      limit: 65_536,
      pointer: '/output/many',
      expression: 'input.l.map(x, input.s)',
    },
  })
  const stored = await h.store.getRun(run.id)
  expect(JSON.stringify(stored?.output).length).toBeLessThan(2000)
})

test('a guard over its budget refuses the start with the reason', async () => {
  const start = await h.engine.startGuarded('guarded-bomb', { s: '', l: list }, 'http')
  expect(start.started).toBe(false)
  if (start.started) return
  expect(start.refused.reason).toBe(
    'the guard at /triggers/0/when ("input.l.all(x, input.l.all(y, input.l.all(z, x + y + z >= 0)))") cannot be evaluated: the expression exceeded its budget of 100000 cost units (WEIR_MAX_EXPRESSION_COST)',
  )
  expect(start.refused.code).toBe('expression_limit')
  const [recorded] = await h.store.listRefusedStarts('guarded-bomb')
  expect(recorded).toMatchObject({ code: 'expression_limit', reason: start.refused.reason })
})

test('the poison pattern in a trigger guard answers at once', async () => {
  const started = performance.now()
  const start = await h.engine.startGuarded(
    'poison-guard',
    { s: `${'a'.repeat(46)}!`, l: [] },
    'http',
  )
  expect(start.started ? '' : start.refused.code).toBe('guard_false')
  expect(performance.now() - started).toBeLessThan(1000)
})

test('a pattern RE2 refuses is refused at publish with its pointer', async () => {
  const flow = {
    name: 'lookahead',
    input,
    steps: [
      {
        id: 'a',
        task: 'inc',
        input: { n: 1 },
        next: [{ if: 'input.s.matches("(?=a)")', goto: 'end' }],
      },
    ],
  }
  await expect(h.catalog.publishFlow(flow)).rejects.toMatchObject({
    code: 'invalid_document',
    problems: [
      {
        pointer: '/steps/0/next/0/if',
        code: 'invalid_regex',
        message:
          'invalid regular expression (RE2 syntax): invalid or unsupported Perl syntax: `(?=` in "(?=a)" — in "input.s.matches("(?=a)")"',
      },
    ],
  })
})

test('a flow stored before RE2 with such a pattern is listed, loads, and fails where it is used', async () => {
  const old = {
    name: 'old-lookahead',
    input,
    steps: [
      {
        id: 'a',
        task: 'inc@1',
        input: { n: 1 },
        next: [{ if: 'input.s.matches("(?=a)")', goto: 'end' }],
      },
    ],
  } as unknown as FlowDocument
  await h.store.publishFlow(old, 'default')
  expect(await h.catalog.flowsWithRefusedPatterns()).toEqual([
    {
      flow: 'old-lookahead',
      version: 1,
      problems: [expect.objectContaining({ pointer: '/steps/0/next/0/if', code: 'invalid_regex' })],
    },
  ])
  const { run } = await h.engine.startRun('old-lookahead', { s: 'a', l: [] })
  const done = await h.engine.waitForRun(run.id, 5000)
  expect(done?.error).toMatchObject({
    kind: 'internal',
    message:
      'cannot evaluate the condition at /steps/0/next/0/if ("input.s.matches("(?=a)")"): invalid regular expression (RE2 syntax): invalid or unsupported Perl syntax: `(?=`',
  })
})

test('a run input over the value limit is refused before anything is stored', async () => {
  const before = (await h.store.listRuns({ flow: 'poison' })).items.length
  await expect(h.engine.startRun('poison', { s: 'a'.repeat(70_000), l: [] })).rejects.toMatchObject(
    {
      code: 'payload_too_large',
      message:
        'the input is larger than the limit of 65536 bytes as JSON at /s (WEIR_MAX_VALUE_KB)',
      problems: [{ pointer: '/s', code: 'value_too_large' }],
    },
  )
  expect((await h.store.listRuns({ flow: 'poison' })).items.length).toBe(before)
})
