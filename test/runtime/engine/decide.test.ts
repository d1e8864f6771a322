/** The pure decision after an attempt: edges, loops, budget, retries with backoff, error routes, output. */
import { describe, expect, test } from 'vitest'
import { type Decision, decide, type FinishedAttempt } from '../../../runtime/engine/decide.js'
import { retryDelay } from '../../../runtime/engine/retry-policy.js'
import type { RunError } from '../../../runtime/store/records.js'
import {
  type CompiledFlow,
  checkFlow,
  ExpressionScope,
  type JsonValue,
} from '../../../types/index.js'
import { resolveFixture } from '../../fixtures/tasks.js'

function compile(doc: object): CompiledFlow {
  const result = checkFlow({ name: 'f', ...doc }, resolveFixture)
  if (!result.ok) throw new Error(JSON.stringify(result.problems))
  return result.compiled
}

const small = (id: string, extra: object = {}) => ({ id, task: 'small', input: { n: 1 }, ...extra })

function decideAfter(
  flow: CompiledFlow,
  stepId: string,
  outcome: FinishedAttempt['outcome'],
  options: {
    attempt?: number
    stepRuns?: number
    values?: Record<string, { output?: JsonValue }>
  } = {},
): Decision {
  const scope = new ExpressionScope(flow.environment, {
    input: { n: 3 },
    steps: {
      ...options.values,
      ...(outcome.status === 'succeeded' ? { [stepId]: { output: outcome.output } } : {}),
    },
    run: { id: 'r', flow: 'f', version: 1, attempt: options.attempt ?? 1 },
  })
  return decide(flow, scope, {
    stepIndex: flow.stepIndex.get(stepId) as number,
    attempt: options.attempt ?? 1,
    stepRuns: options.stepRuns ?? 1,
    outcome,
    at: 10_000,
  })
}

const ok = (n: number) => ({ status: 'succeeded' as const, output: { n } })
const error = (kind: RunError['kind'], details?: JsonValue): RunError => ({
  step: 'a',
  task: 'small@1',
  kind,
  message: `${kind} happened`,
  attempt: 1,
  ...(details === undefined ? {} : { details }),
})
const failed = (kind: RunError['kind'], details?: JsonValue) => ({
  status: 'failed' as const,
  error: error(kind, details),
})

const branching = compile({
  steps: [
    small('a', {
      next: [
        { if: 'steps.a.output.n > 10', goto: 'big' },
        { if: 'steps.a.output.n > 5', goto: 'mid' },
        { else: 'low' },
      ],
    }),
    small('big', { next: 'end' }),
    small('mid', { next: 'end' }),
    small('low'),
  ],
  output: { from: '${has(steps.big.output) ? "big" : (has(steps.mid.output) ? "mid" : "low")}' },
})
const fallThrough = compile({
  steps: [
    small('a', { next: [{ if: 'steps.a.output.n > 5', goto: 'c' }] }),
    small('b'),
    small('c'),
  ],
})
const loop = compile({
  steps: [
    small('a'),
    { id: 'b', task: 'small', next: [{ if: 'steps.b.output.n < 5', goto: 'b' }] },
  ],
  limits: { maxStepRuns: 4 },
})
const retrying = compile({
  steps: [
    small('a', {
      retry: {
        initialIntervalMs: 100,
        backoffCoefficient: 3,
        maximumIntervalMs: 500,
        maximumAttempts: 5,
        nonRetryable: ['trap', 'OUT_OF_STOCK'],
      },
    }),
    small('b'),
  ],
})
const routed = compile({
  steps: [
    small('a', { onError: 'handle', next: 'end' }),
    { id: 'handle', task: 'echo', input: { why: '${steps.a.error.message}' } },
  ],
})
const noOutput = compile({ steps: [small('a')] })
const dividing = compile({
  input: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] },
  steps: [small('a', { next: [{ if: '10 / (input.n - 3) > 1', goto: 'end' }] })],
})

describe('decide after success', () => {
  test.each<[string, CompiledFlow, string, number, Decision]>([
    [
      'the first true edge wins',
      branching,
      'a',
      12,
      {
        kind: 'advance',
        next: 1,
        branch: { edge: 0, condition: 'steps.a.output.n > 10', target: 'big' },
      },
    ],
    [
      'an else-if edge',
      branching,
      'a',
      7,
      {
        kind: 'advance',
        next: 2,
        branch: { edge: 1, condition: 'steps.a.output.n > 5', target: 'mid' },
      },
    ],
    [
      'the else edge',
      branching,
      'a',
      1,
      { kind: 'advance', next: 3, branch: { edge: 2, target: 'low' } },
    ],
    [
      'no true edge and no else falls through',
      fallThrough,
      'a',
      1,
      { kind: 'advance', next: 1, branch: { edge: null, target: 'b' } },
    ],
    [
      'a true edge skips ahead',
      fallThrough,
      'a',
      9,
      {
        kind: 'advance',
        next: 2,
        branch: { edge: 0, condition: 'steps.a.output.n > 5', target: 'c' },
      },
    ],
    [
      '"next": "end" completes with the output template',
      branching,
      'mid',
      0,
      { kind: 'complete', output: { from: 'mid' }, branch: { edge: null, target: 'end' } },
    ],
    [
      'a loop goes back',
      loop,
      'b',
      2,
      {
        kind: 'advance',
        next: 1,
        branch: { edge: 0, condition: 'steps.b.output.n < 5', target: 'b' },
      },
    ],
    [
      "the last step completes, its output the run's",
      noOutput,
      'a',
      4,
      { kind: 'complete', output: { n: 4 }, branch: { edge: null, target: 'end' } },
    ],
  ])('%s', (_name, flow, step, n, expected) => {
    expect(decideAfter(flow, step, ok(n))).toEqual(expected)
  })

  test('the step budget stops a loop', () => {
    expect(decideAfter(loop, 'b', ok(2), { stepRuns: 4 })).toEqual({
      kind: 'fail',
      error: {
        step: 'b',
        task: 'small@1',
        kind: 'limit_exceeded',
        message: 'the run exceeded its budget of 4 step runs',
        attempt: 1,
      },
    })
  })

  test('a condition that fails at run time fails the run with the expression and its pointer', () => {
    const scope = new ExpressionScope(dividing.environment, {
      input: { n: 3 },
      steps: { a: { output: { n: 1 } } },
      run: { id: 'r', flow: 'f', version: 1, attempt: 1 },
    })
    expect(
      decide(dividing, scope, { stepIndex: 0, attempt: 1, stepRuns: 1, outcome: ok(1), at: 0 }),
    ).toEqual({
      kind: 'fail',
      error: {
        step: 'a',
        task: 'small@1',
        kind: 'internal',
        message:
          'cannot evaluate the condition at /steps/0/next/0/if ("10 / (input.n - 3) > 1"): division by zero',
        attempt: 1,
      },
    })
  })
})

describe('decide after failure', () => {
  test.each<[string, number, RunError['kind'], JsonValue | undefined, Decision]>([
    [
      'the first retry waits the initial interval',
      1,
      'task_error',
      undefined,
      { kind: 'retry', attempt: 2, at: 10_100, delayMs: 100 },
    ],
    [
      'backoff multiplies the interval',
      2,
      'timeout',
      undefined,
      { kind: 'retry', attempt: 3, at: 10_300, delayMs: 300 },
    ],
    [
      'the interval is capped',
      3,
      'task_error',
      undefined,
      { kind: 'retry', attempt: 4, at: 10_500, delayMs: 500 },
    ],
    ['attempts run out', 5, 'task_error', undefined, { kind: 'fail', error: error('task_error') }],
    [
      'a non-retryable kind fails at once',
      1,
      'trap',
      undefined,
      { kind: 'fail', error: error('trap') },
    ],
    [
      'a non-retryable task error code fails at once',
      1,
      'task_error',
      { code: 'OUT_OF_STOCK' },
      { kind: 'fail', error: error('task_error', { code: 'OUT_OF_STOCK' }) },
    ],
    [
      'invalid input is never retried',
      1,
      'input_invalid',
      undefined,
      { kind: 'fail', error: error('input_invalid') },
    ],
  ])('%s', (_name, attempt, kind, details, expected) => {
    expect(decideAfter(retrying, 'a', failed(kind, details), { attempt })).toEqual(expected)
  })

  test('no retry policy means one attempt', () => {
    expect(decideAfter(noOutput, 'a', failed('task_error'))).toEqual({
      kind: 'fail',
      error: error('task_error'),
    })
  })

  test('onError routes the failure to its step', () => {
    expect(decideAfter(routed, 'a', failed('task_error'))).toEqual({ kind: 'route', next: 1 })
  })
})

describe('retryDelay', () => {
  test('defaults: 1 s, doubling, up to 100 × the initial interval, unlimited attempts', () => {
    const delays = [1, 2, 3, 7, 8, 50].map((a) => retryDelay({}, a, error('task_error')))
    expect(delays).toEqual([1000, 2000, 4000, 64000, 100000, 100000])
  })
})
