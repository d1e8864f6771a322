/** What the engine and HTTP benchmarks run: the `inc` WAT task and `three`, a flow of three `inc` steps. */
import type { Catalog } from '../runtime/catalog/catalog.js'
import { engineTasksComponent } from '../test/fixtures/engine-tasks.js'

export async function publishThreeStepFlow(catalog: Catalog): Promise<void> {
  await catalog.publishTask({ name: 'inc', export: 'inc' }, await engineTasksComponent())
  await catalog.publishFlow({
    name: 'three',
    input: {
      type: 'object',
      required: ['n'],
      properties: { n: { type: 'integer', minimum: 0, maximum: 1000 } },
    },
    steps: [
      { id: 'a', task: 'inc', input: { n: '${input.n}' } },
      { id: 'b', task: 'inc', input: { n: '${steps.a.output}' } },
      { id: 'c', task: 'inc', input: { n: '${steps.b.output}' } },
    ],
  })
}

/** The document of a flow of `steps` `inc` steps: n → n + steps. */
export const chainFlow = (name: string, steps: number) => ({
  name,
  input: {
    type: 'object' as const,
    required: ['n'],
    properties: { n: { type: 'integer' as const, minimum: 0, maximum: 1000 } },
  },
  steps: Array.from({ length: steps }, (_, i) => ({
    id: `s${i}`,
    task: 'inc',
    input: { n: i === 0 ? '${input.n}' : `\${steps.s${i - 1}.output}` },
  })),
})

/** A flow of `steps` `inc` steps (the task published already): n → n + steps. */
export async function publishChain(catalog: Catalog, name: string, steps: number): Promise<void> {
  await catalog.publishFlow(chainFlow(name, steps))
}
