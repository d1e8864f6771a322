/**
 * Flow documents the graph tests draw: one with every step kind, and a long
 * generated one with branches, loops and error routes.
 */
import type { FlowDocument, Step } from '../../../../types/index.js'

/** Every step kind, conditional and else edges, a fall-through, a loop, an error route. */
export const everyKind: FlowDocument = {
  name: 'fulfil',
  version: 3,
  steps: [
    { id: 'charge', task: 'charge@2', compensate: { task: 'refund@1' }, onError: 'notify' },
    {
      id: 'route',
      set: { big: '${steps.charge.output.amount > 100}' },
      next: [{ if: 'steps.route.output.big', goto: 'review' }, { else: 'ship' }],
    },
    {
      id: 'review',
      waitFor: 'approved',
      next: [{ if: '!steps.review.output.ok', goto: 'notify' }],
    },
    {
      id: 'ship',
      parallel: { label: { task: 'print-label@1' }, pickup: { flow: 'book-pickup@3' } },
      next: 'items',
    },
    { id: 'items', forEach: '${input.items}', flow: 'pack@1', next: 'pause' },
    {
      id: 'pause',
      sleep: 'PT5M',
      next: [{ if: 'size(steps.items.output) < 3', goto: 'items' }],
    },
    { id: 'sub', flow: 'audit@4', compensate: { flow: 'unaudit@1' }, next: 'end' },
    { id: 'notify', fail: { message: 'declined', code: 'declined' } },
  ],
}

/**
 * A flow of `n` task steps: every tenth jumps ahead on a condition, every
 * twenty-fifth may loop back twenty steps, every seventh routes errors ahead.
 */
export function longFlow(n: number): FlowDocument {
  const steps: Step[] = []
  for (let i = 0; i < n; i++) {
    const id = `s${i}`
    const after = i + 1 < n ? `s${i + 1}` : 'end'
    const step: Step = { id, task: `t${i % 7}@1` }
    if (i % 10 === 3 && i + 5 < n)
      step.next = [{ if: `steps.${id}.output.skip`, goto: `s${i + 5}` }]
    if (i % 25 === 24)
      step.next = [{ if: `steps.${id}.output.again`, goto: `s${i - 20}` }, { else: after }]
    if (i % 7 === 0 && i + 2 < n) step.onError = `s${i + 2}`
    steps.push(step)
  }
  return { name: 'long', version: 1, steps }
}
