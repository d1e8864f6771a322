/**
 * Bounded expressions: `matches` on RE2 (linear, refused patterns found at the
 * check), a cost budget on every evaluation, and size and depth limits on the
 * values templates make.
 */
import { describe, expect, test } from 'vitest'
import {
  compileExpression,
  compileTemplate,
  type EvaluationLimits,
  ExpressionLimitError,
  ExpressionScope,
  evaluateTemplate,
  FlowEnvironment,
  type JsonValue,
  rooted,
  TemplateEvaluationError,
  validateValue,
} from '../../../types/index.js'

const inputSchema = rooted({
  type: 'object',
  required: ['s', 'l', 'n'],
  properties: {
    s: { type: 'string' },
    l: { type: 'array', items: { type: 'integer' } },
    n: { type: 'integer' },
  },
})

const limits: EvaluationLimits = { maxCost: 100_000, value: { maxDepth: 64, maxBytes: 1024 } }
const fenv = new FlowEnvironment(inputSchema, [], limits)

function scope(input: JsonValue): ExpressionScope {
  return new ExpressionScope(fenv, {
    input,
    steps: {},
    run: { id: 'r', flow: 'f', version: 1, attempt: 1 },
  })
}

function compiled(source: string) {
  const result = compileExpression(fenv, source)
  if (!result.ok) throw new Error(result.problems[0]?.message)
  return result.expression
}

function templateOf(value: JsonValue) {
  const result = compileTemplate(fenv, value, '/steps/0/input')
  if (!result.template) throw new Error(result.problems[0]?.message)
  return result.template
}

const poison = { s: `${'a'.repeat(46)}!`, l: [], n: 0 }

describe('matches runs on RE2', () => {
  test('a pattern that backtracks exponentially in JavaScript answers at once', () => {
    const started = performance.now()
    expect(compiled('input.s.matches("^(a|aa)+$")').evaluate(scope(poison))).toBe(false)
    expect(compiled('input.s.matches("^(a|aa)+!$")').evaluate(scope(poison))).toBe(true)
    expect(performance.now() - started).toBeLessThan(1000)
  })

  test.each([
    ['(', 'missing closing ): `(`'],
    ['(?=a)b', 'invalid or unsupported Perl syntax: `(?=`'],
    ['(a)\\1', 'invalid escape sequence: `\\1`'],
  ])('the literal pattern %s is refused at the check', (pattern, why) => {
    const source = `input.s.matches(${JSON.stringify(pattern)})`
    const result = compileExpression(fenv, source)
    expect(result).toEqual({
      ok: false,
      problems: [
        {
          code: 'invalid_regex',
          message: `invalid regular expression (RE2 syntax): ${why} in "${pattern}" — in "${source}"`,
        },
      ],
    })
  })

  test('a pattern known only at run time that RE2 refuses fails the evaluation', () => {
    const expression = compiled('"abc".matches(input.s)')
    expect(() => expression.evaluate(scope({ s: '(', l: [], n: 0 }))).toThrow(
      'invalid regular expression (RE2 syntax): missing closing ): `(`',
    )
    expect(expression.evaluate(scope({ s: 'b+', l: [], n: 0 }))).toBe(true)
  })

  test('schema patterns are matched by RE2 too', () => {
    const schema = { type: 'string', pattern: '^(a|aa)+$' } as const
    const started = performance.now()
    expect(validateValue(schema, `${'a'.repeat(5000)}!`)).toEqual([
      expect.objectContaining({ pointer: '' }),
    ])
    expect(validateValue(schema, 'aaaa')).toEqual([])
    expect(performance.now() - started).toBeLessThan(1000)
  })
})

const list = Array.from({ length: 250 }, (_, i) => i)

describe('the cost budget', () => {
  test('a triple comprehension over 250 items is stopped with expression_limit', () => {
    const expression = compiled('input.l.all(a, input.l.all(b, input.l.all(c, a + b + c >= 0)))')
    const started = performance.now()
    let error: unknown
    try {
      expression.evaluate(scope({ s: '', l: list, n: 0 }))
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ExpressionLimitError)
    expect((error as Error).message).toBe(
      'the expression exceeded its budget of 100000 cost units (WEIR_MAX_EXPRESSION_COST)',
    )
    expect(performance.now() - started).toBeLessThan(1000)
  })

  test('the same comprehension within the budget gives its value', () => {
    const expression = compiled('input.l.all(a, input.l.all(b, a + b >= 0))')
    expect(expression.evaluate(scope({ s: '', l: list, n: 0 }))).toBe(true)
    expect(compiled('input.l.map(x, x * 2)').evaluate(scope({ s: '', l: [1, 2], n: 0 }))).toEqual([
      2n,
      4n,
    ])
  })

  test('a string doubled by cel.bind is stopped before it grows', () => {
    let source = 'input.s'
    for (let i = 0; i < 40; i++) source = `cel.bind(x${i}, ${source}, x${i} + x${i})`
    expect(() => compiled(source).evaluate(scope({ s: 'a'.repeat(1000), l: [], n: 0 }))).toThrow(
      ExpressionLimitError,
    )
  })

  test('every evaluation starts with the whole budget', () => {
    const expression = compiled('input.l.all(a, input.l.all(b, a + b >= 0))')
    for (let i = 0; i < 5; i++)
      expect(expression.evaluate(scope({ s: '', l: list, n: 0 }))).toBe(true)
  })
})

describe('template values are bounded', () => {
  test('a template result larger than the value limit fails with value_too_large and where', () => {
    const template = templateOf({ many: '${input.l.map(a, input.s)}' })
    let error: unknown
    try {
      evaluateTemplate(template, scope({ s: 'x'.repeat(100), l: list, n: 0 }))
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(TemplateEvaluationError)
    expect((error as TemplateEvaluationError).limit).toEqual({
      code: 'value_too_large',
      limit: 1024,
      pointer: '/steps/0/input/many',
      expression: 'input.l.map(a, input.s)',
      at: '/7',
    })
    expect((error as Error).message).toBe(
      '/steps/0/input/many: cannot evaluate "input.l.map(a, input.s)": its value is larger than the limit of 1024 bytes as JSON at /7',
    )
  })

  test('several parts of a template that pass the limit together fail as a whole', () => {
    const template = templateOf({ a: '${input.s}', b: '${input.s}', c: 'x ${input.s}' })
    expect(() => evaluateTemplate(template, scope({ s: 'y'.repeat(400), l: [], n: 0 }))).toThrow(
      '/steps/0/input: cannot evaluate "the template": its value is larger than the limit of 1024 bytes as JSON at /c',
    )
  })

  test('a value nested deeper than the limit fails with value_too_deep', () => {
    let source = 'input.n'
    for (let i = 0; i < 70; i++) source = `[${source}]`
    const template = templateOf({ deep: `\${${source}}` })
    let error: unknown
    try {
      evaluateTemplate(template, scope({ s: '', l: [], n: 1 }))
    } catch (e) {
      error = e
    }
    expect((error as TemplateEvaluationError).limit).toMatchObject({
      code: 'value_too_deep',
      limit: 64,
      pointer: '/steps/0/input/deep',
    })
  })
})

describe('__proto__ and friends are plain keys', () => {
  test('required: ["__proto__"] is enforced', () => {
    const schema = JSON.parse('{"type":"object","required":["__proto__","constructor"]}')
    expect(validateValue(schema, {}).map((p) => p.message)).toEqual([
      'missing required field "__proto__"',
      'missing required field "constructor"',
    ])
    expect(validateValue(schema, JSON.parse('{"__proto__": 1, "constructor": 2}'))).toEqual([])
  })

  test('a constructor key does not stop evaluation, with or without a schema', () => {
    const input = JSON.parse('{"a":2,"constructor":1,"m":{"constructor":3}}')
    for (const schema of [
      undefined,
      rooted({
        type: 'object',
        properties: {
          a: { type: 'integer' },
          m: { type: 'object', additionalProperties: { type: 'integer' } },
        },
      }),
    ]) {
      const env = new FlowEnvironment(schema, [])
      const here = new ExpressionScope(env, {
        input,
        steps: {},
        run: { id: 'r', flow: 'f', version: 1, attempt: 1 },
      })
      for (const source of ['input.a == 2', 'size(input.m) == 1', 'input.m.constructor == 3']) {
        const result = compileExpression(env, source)
        expect(result.ok && result.expression.evaluate(here)).toBe(true)
      }
    }
  })

  test('a template keeps a __proto__ key as data', () => {
    const template = templateOf(JSON.parse('{"__proto__": "${input.n}", "constructor": "x"}'))
    const value = evaluateTemplate(template, scope({ s: '', l: [], n: 5 })) as object
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
    expect(JSON.stringify(value)).toBe('{"__proto__":5,"constructor":"x"}')
  })
})

test('a schema pattern RE2 refuses (published before RE2) matches nothing instead of throwing', () => {
  expect(validateValue({ type: 'string', pattern: '(?=a)a' }, 'a')).toEqual([
    expect.objectContaining({ pointer: '', message: expect.stringContaining('/(?=a)a/') }),
  ])
})

describe('operations that walk whole values are charged for them', () => {
  const wide = new FlowEnvironment(
    rooted({
      type: 'object',
      required: ['l', 'm', 's'],
      properties: {
        l: { type: 'array', items: { type: 'string' } },
        m: { type: 'array', items: { type: 'string' } },
        s: { type: 'string' },
      },
    }),
    [],
  )
  const l = Array.from({ length: 20_000 }, (_, i) => `x${i}`)
  const values = { l, m: [...l], s: 'a'.repeat(100_000) }

  test.each([
    "input.l.all(x, !('b' in input.l))",
    'input.l.all(x, input.l == input.m)',
    "input.l.all(x, input.l.join() != 'z')",
    "input.l.all(x, timestamp('2024-01-01T00:00:00Z').getHours('Asia/Kolkata') >= 0)",
    'cel.bind(b, bytes(input.s), input.l.all(x, size(b) > 0))',
    "input.l.exists(p, 'a'.matches(p))",
  ])('%s passes the default budget', (source) => {
    const result = compileExpression(wide, source)
    if (!result.ok) throw new Error(result.problems[0]?.message)
    const scope = new ExpressionScope(wide, {
      input: values,
      steps: {},
      run: { id: 'r', flow: 'f', version: 1, attempt: 1 },
    })
    expect(() => result.expression.evaluate(scope)).toThrow(
      'the expression exceeded its budget of 250000 cost units (WEIR_MAX_EXPRESSION_COST)',
    )
  })
})
