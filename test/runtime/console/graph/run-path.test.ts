import { expect, test } from 'vitest'
import { type PathStepRun, pathOf } from '../../../../runtime/console/graph/index.js'

const runs = (...ids: string[]): PathStepRun[] => ids.map((stepId) => ({ stepId }))

test.each<[string, PathStepRun[], string, string[], string[]]>([
  [
    'a completed run, start to end',
    runs('a', 'b', 'c'),
    'completed',
    ['a', 'b', 'c'],
    ['start->a', 'a->b', 'b->c', 'c->end'],
  ],
  ['a failed run does not reach end', runs('a', 'b'), 'failed', ['a', 'b'], ['start->a', 'a->b']],
  ['a running run', runs('a'), 'running', ['a'], ['start->a']],
  [
    'a loop takes its back edge',
    runs('a', 'b', 'a', 'b', 'c'),
    'completed',
    ['a', 'b', 'c'],
    ['start->a', 'a->b', 'b->a', 'b->c', 'c->end'],
  ],
  [
    'a step that loops on itself',
    runs('poll', 'poll', 'done'),
    'completed',
    ['poll', 'done'],
    ['start->poll', 'poll->poll', 'poll->done', 'done->end'],
  ],
  [
    'compensations are not on the path',
    [
      { stepId: 'a', compensates: null },
      { stepId: 'b' },
      { stepId: 'b', compensates: 2 },
      { stepId: 'a', compensates: 1 },
    ],
    'failed',
    ['a', 'b'],
    ['start->a', 'a->b'],
  ],
  [
    'a retried run starts its failed step again without a loop',
    [{ stepId: 'a' }, { stepId: 'b', status: 'failed' }, { stepId: 'b', status: 'succeeded' }],
    'completed',
    ['a', 'b'],
    ['start->a', 'a->b', 'b->end'],
  ],
  ['no step runs', [], 'completed', [], []],
])('%s', (_, stepRuns, status, visited, taken) => {
  const path = pathOf(stepRuns, status)
  expect([...path.visited]).toEqual(visited)
  expect([...path.taken]).toEqual(taken)
})
