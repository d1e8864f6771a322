/**
 * The cost of bounding expressions: the same conditions evaluated by cel-js
 * alone (what weir did before the budget) and by weir's compiled expressions
 * (budget, RE2 `matches`), interleaved, in µs per evaluation.
 */
import { compileExpression, ExpressionScope, FlowEnvironment, rooted } from '../types/index.js'

const fenv = new FlowEnvironment(
  rooted({
    type: 'object',
    required: ['n', 'name', 'tags'],
    properties: {
      n: { type: 'integer' },
      name: { type: 'string' },
      tags: { type: 'array', items: { type: 'string' } },
    },
  }),
  [],
)

const sources = [
  'input.n > 3 && input.name != ""',
  'input.name.startsWith("Ad") || input.n == 0',
  'input.tags.exists(t, t == "vip")',
  'input.name.matches("^[A-Z][a-z]+$")',
]

function perEvaluationUs(run: () => unknown, rounds: number): number {
  const start = performance.now()
  for (let i = 0; i < rounds; i++) run()
  return ((performance.now() - start) * 1000) / rounds
}

export function benchExpressions(): string[] {
  const scope = new ExpressionScope(fenv, {
    input: { n: 7, name: 'Ada', tags: ['a', 'b', 'vip'] },
    steps: {},
    run: { id: 'r', flow: 'f', version: 1, attempt: 1 },
  })
  const lines = ['| expression | cel-js alone | weir (budget, RE2) |', '|---|---|---|']
  for (const source of sources) {
    const compiled = compileExpression(fenv, source)
    if (!compiled.ok) throw new Error(compiled.problems[0]?.message)
    const expression = compiled.expression
    const raw = fenv.env.parse(source)
    raw.check()
    const ctx = scope.context(expression.refs)
    const rounds = 200_000
    const before: number[] = []
    const after: number[] = []
    for (let round = 0; round < 7; round++) {
      before.push(perEvaluationUs(() => raw(ctx), rounds))
      after.push(perEvaluationUs(() => expression.evaluate(scope), rounds))
    }
    const median = (xs: number[]) => (xs.sort((a, b) => a - b)[3] as number).toFixed(3)
    lines.push(`| \`${source}\` | ${median(before)} µs | ${median(after)} µs |`)
  }
  return lines
}
