/** Did-you-mean hints for task names and schema keywords, and the check that stops after the schema stage. */
import { describe, expect, test } from 'vitest'
import { checkFlow, closest, didYouMean, type TaskResolver } from '../../../types/index.js'
import { exampleTasks, fixtureTasks, resolveFixture } from '../../fixtures/tasks.js'
import { baseInput, flowOf } from './helpers.js'

const published = [...fixtureTasks, ...exampleTasks()].map((t) => t.name)
/** The fixture resolver, able to list the published names. */
const listing: TaskResolver = Object.assign(
  (name: string, version?: number) => resolveFixture(name, version),
  { names: () => published },
)

describe('closest and didYouMean', () => {
  test.each([
    ['notfy', ['notify', 'ship'], 'notify'],
    ['welcom', ['welcome', 'checkout'], 'welcome'],
    ['maxLenght', ['minLength', 'maxLength'], 'maxLength'],
    ['SHIP', ['ship'], 'ship'],
    ['zzzzzz', ['notify', 'ship'], undefined],
    ['ship', ['ship'], undefined],
  ])('%s among %j is %s', (name, candidates, expected) => {
    expect(closest(name, candidates)).toBe(expected)
  })

  test('didYouMean is a suffix, or nothing', () => {
    expect(didYouMean('notfy', ['notify'])).toBe('; did you mean "notify"?')
    expect(didYouMean('notfy', [])).toBe('')
  })
})

describe('unknown task names', () => {
  test('a resolver that lists names gives the closest one', () => {
    const result = checkFlow(flowOf([{ id: 'a', task: 'notfy' }]), listing)
    expect(result.ok ? [] : result.problems).toEqual([
      {
        pointer: '/steps/0/task',
        code: 'unknown_task',
        message: 'unknown task "notfy": no task of that name is published; did you mean "notify"?',
      },
    ])
  })

  test('no hint when nothing is close, or when the resolver cannot list names', () => {
    const far = checkFlow(flowOf([{ id: 'a', task: 'qqqqqqq' }]), listing)
    const unlisted = checkFlow(flowOf([{ id: 'a', task: 'notfy' }]), resolveFixture)
    expect([far, unlisted].map((r) => (r.ok ? [] : r.problems.map((p) => p.message)))).toEqual([
      ['unknown task "qqqqqqq": no task of that name is published'],
      ['unknown task "notfy": no task of that name is published'],
    ])
  })
})

describe('a document the schema stage rejects', () => {
  const doc = {
    name: 'f',
    input: {
      ...baseInput,
      properties: { ...baseInput.properties, id: { type: 'string', maxLenght: 3 } },
    },
    steps: [
      { id: 'a', task: 'notfy' },
      { id: 'b', task: 'ship@1', input: { id: '${input.nope}' } },
    ],
  }

  test('names the misspelt keyword, still resolves task names, and says the other stages stopped', () => {
    const result = checkFlow(doc, listing)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.problems.map(({ pointer, code }) => [pointer, code])).toEqual([
      ['/input/properties/id/maxLenght', 'invalid_document'],
      ['/steps/0/task', 'unknown_task'],
    ])
    expect(result.problems[0]?.message).toMatch(
      /^unsupported JSON Schema keyword "maxLenght" \(did you mean "maxLength"\?\): weir accepts type, /,
    )
    expect(result.problems[1]?.message).toBe(
      'unknown task "notfy": no task of that name is published; did you mean "notify"?',
    )
    expect(result.warnings).toEqual([
      {
        pointer: '',
        code: 'checks_stopped',
        message:
          'the document does not match the flow schema, so the step graph, expressions and types were not checked (task names were); fix the problems above and check again',
      },
    ])
  })

  test('a step whose task field is itself wrong is not resolved twice', () => {
    const result = checkFlow(flowOf([{ id: 'a', task: 'notfy', retry: 'x' }]), listing)
    expect(result.ok ? [] : result.problems.map((p) => p.code).sort()).toEqual([
      'invalid_document',
      'unknown_task',
    ])
  })
})
