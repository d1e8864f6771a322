/**
 * checkFlow on a generated 200-step flow with branches, joins guarded by has(),
 * conditions and templates on every step (target: under 20 ms).
 */
import {
  checkFlow,
  type ResolvedTask,
  type TaskResolver,
  type ValueSchema,
} from '../types/index.js'
import { measure, type Timing } from './measure.js'

const counter: ValueSchema = {
  type: 'object',
  required: ['n', 'ok', 'label'],
  properties: {
    n: { type: 'integer', minimum: 0, maximum: 1000 },
    ok: { type: 'boolean' },
    label: { type: 'string' },
    note: { type: 'string' },
  },
}

const tasks: ResolvedTask[] = ['work-a', 'work-b', 'work-c', 'work-d'].map((name) => ({
  name,
  version: 1,
  input: {
    type: 'object',
    required: ['n', 'label'],
    properties: {
      n: { type: 'integer', minimum: 0, maximum: 1000 },
      label: { type: 'string', minLength: 1 },
    },
  },
  output: structuredClone(counter),
}))
const resolve: TaskResolver = (name) => tasks.find((t) => t.name === name)

/** Blocks of four: s(4m) branches over s(4m+1) to s(4m+2), which joins with a has() guard. */
export function generatedFlow(size = 200): unknown {
  const steps: unknown[] = []
  for (let i = 0; i < size; i++) {
    const task = tasks[i % tasks.length]?.name
    const prev = i === 0 ? undefined : `s${i - 1}`
    const block = i - (i % 4)
    let n = prev ? `\${steps.${prev}.output.n}` : '${input.start}'
    if (i % 4 === 2)
      n = `\${has(steps.s${i - 1}.output) ? steps.s${i - 1}.output.n : steps.s${block}.output.n}`
    const step: Record<string, unknown> = {
      id: `s${i}`,
      task,
      input: { n, label: `step ${i} of \${input.name}` },
    }
    if (i % 4 === 0 && i + 2 < size) {
      step.next = [
        {
          if: `steps.s${i}.output.ok && steps.s${i}.output.n > 10 && input.name != "skip"`,
          goto: `s${i + 2}`,
        },
        { if: `has(steps.s${i}.output.note) && steps.s${i}.output.note == "stop"`, goto: 'end' },
      ]
    }
    steps.push(step)
  }
  return {
    name: 'generated',
    input: {
      type: 'object',
      required: ['start', 'name'],
      properties: {
        start: { type: 'integer', minimum: 0, maximum: 1000 },
        name: { type: 'string' },
      },
    },
    steps,
    output: {
      last: `\${steps.s${size - 1}.output.n}`,
      label: `\${steps.s${size - 1}.output.label}`,
    },
  }
}

export function benchCheckFlow(): Timing[] {
  const doc = generatedFlow(200)
  const result = checkFlow(doc, resolve)
  if (!result.ok)
    throw new Error(`generated flow does not check: ${JSON.stringify(result.problems.slice(0, 3))}`)
  return [
    measure('checkFlow, 200-step flow with branches', () => checkFlow(doc, resolve), {
      warmup: 20,
      iterations: 100,
    }),
  ]
}
