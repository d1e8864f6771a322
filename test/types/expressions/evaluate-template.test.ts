/** Evaluating templates against run values: types kept, text interpolated, absent keys left out, errors located. */
import { describe, expect, test } from 'vitest'
import {
  compileTemplate,
  ExpressionScope,
  evaluateTemplate,
  FlowEnvironment,
  type JsonValue,
  rooted,
  TemplateEvaluationError,
} from '../../../types/index.js'

const fenv = new FlowEnvironment(
  rooted({
    type: 'object',
    required: ['a', 'b', 'name', 'items'],
    properties: {
      a: { type: 'integer' },
      b: { type: 'integer' },
      name: { type: 'string' },
      note: { type: 'string' },
      items: {
        type: 'array',
        items: { type: 'object', required: ['qty'], properties: { qty: { type: 'integer' } } },
      },
    },
  }),
  [
    {
      id: 'x',
      typeName: 'calc@1.output',
      output: rooted({
        type: 'object',
        required: ['n', 'total', 'ok', 'tags'],
        properties: {
          n: { type: 'integer' },
          total: { type: 'number' },
          ok: { type: 'boolean' },
          tags: { type: 'array', items: { type: 'string' } },
          maybe: { type: ['string', 'null'] },
        },
      }),
    },
  ],
)

const scope = () =>
  new ExpressionScope(fenv, {
    input: { a: 7, b: 0, name: 'Ada', items: [{ qty: 2 }, { qty: 5 }] },
    steps: { x: { output: { n: 3, total: 3, ok: true, tags: ['a', 'b'], maybe: null } } },
    run: { id: 'run-1', flow: 'f', version: 2, attempt: 1 },
  })

function evaluate(template: JsonValue): JsonValue | undefined {
  const compiled = compileTemplate(fenv, template, '/t', {
    messages: fenv.shapes.messages,
    stepAvailable: () => true,
  })
  expect(compiled.problems).toEqual([])
  return evaluateTemplate(compiled.template as NonNullable<typeof compiled.template>, scope())
}

describe('evaluateTemplate', () => {
  test.each<[string, JsonValue, JsonValue | undefined]>([
    ['a whole ${expr} keeps an integer', '${input.a}', 7],
    ['a whole ${expr} keeps a bool', '${steps.x.output.ok}', true],
    ['a whole ${expr} keeps a list', '${steps.x.output.tags}', ['a', 'b']],
    ['a whole ${expr} keeps an object', '${input.items[1]}', { qty: 5 }],
    ['a whole ${expr} keeps null', '${steps.x.output.maybe}', null],
    ['an integer field compared with an int literal', '${steps.x.output.n > 2}', true],
    ['a number field (JSON 3) compared with an int literal', '${steps.x.output.total > 2}', true],
    [
      'a number field compared for equality with an int literal',
      '${steps.x.output.total == 3}',
      true,
    ],
    ['arithmetic on integers stays integral', '${input.a * 2 + 1}', 15],
    ['macros over lists of objects', '${input.items.map(i, i.qty * 10)}', [20, 50]],
    [
      'text interpolates values',
      'Hi ${input.name}, ${input.a} items, ok=${steps.x.output.ok}',
      'Hi Ada, 7 items, ok=true',
    ],
    ['text interpolates lists as JSON', 'tags: ${steps.x.output.tags}', 'tags: ["a","b"]'],
    ['$${ writes a literal ${', 'cost: $${price}', 'cost: ${price}'],
    ['braces inside the expression', '${{"k": input.name}.k}', 'Ada'],
    ['a "}" inside a string literal in the expression', '${input.name + "}"}', 'Ada}'],
    ['the run is in scope', '${run.id}/${run.version}', 'run-1/2'],
    ['an absent plain path is absent', '${input.note}', undefined],
  ])('%s', (_name, template, expected) => {
    expect(evaluate(template)).toEqual(expected)
  })

  test('objects leave out keys whose value is absent', () => {
    expect(
      evaluate({ name: '${input.name}', note: '${input.note}', fixed: [1, '${input.a}'] }),
    ).toEqual({
      name: 'Ada',
      fixed: [1, 7],
    })
  })

  test('a run-time error names the expression and its pointer', () => {
    const compiled = compileTemplate(fenv, { q: '${input.a / input.b}' }, '/steps/1/input', {
      messages: fenv.shapes.messages,
      stepAvailable: () => true,
    })
    const template = compiled.template as NonNullable<typeof compiled.template>
    let caught: unknown
    try {
      evaluateTemplate(template, scope())
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(TemplateEvaluationError)
    const error = caught as TemplateEvaluationError
    expect(error.pointer).toBe('/steps/1/input/q')
    expect(error.expression).toBe('input.a / input.b')
    expect(error.message).toBe(
      '/steps/1/input/q: cannot evaluate "input.a / input.b": division by zero',
    )
  })

  test('an index out of range is a run-time error with its pointer', () => {
    const compiled = compileTemplate(fenv, '${input.items[5].qty}', '/output', {
      messages: fenv.shapes.messages,
      stepAvailable: () => true,
    })
    const template = compiled.template as NonNullable<typeof compiled.template>
    expect(() => evaluateTemplate(template, scope())).toThrow(
      /^\/output: cannot evaluate "input\.items\[5\]\.qty": .*index out of bounds/,
    )
  })

  test('a step output replaced by a later run of the step is seen by the next evaluation', () => {
    const s = scope()
    const compiled = compileTemplate(fenv, '${steps.x.output.n + 1}', '/t')
    const template = compiled.template as NonNullable<typeof compiled.template>
    expect(evaluateTemplate(template, s)).toBe(4)
    s.setStep('x', { output: { n: 10, total: 1.5, ok: false, tags: [] } })
    expect(evaluateTemplate(template, s)).toBe(11)
  })
})
