/**
 * The schema of a flow's output, computed at publish and stored with the
 * version (a `flow` step of another flow types its output by it): the type
 * of the output template, or else the union of the outputs of the steps whose
 * success can end the run. Self-contained: its `$defs` travel with it.
 */
import type { CompiledTemplate } from '../expressions/compile-template.js'
import type { FlowEnvironment } from '../expressions/flow-environment.js'
import type { AccessRules } from '../expressions/guards.js'
import { templateSchema } from '../expressions/template-schema.js'
import { SchemaComposer } from '../schema/compose.js'
import type { Rooted, ValueSchema } from '../schema/rooted.js'
import type { FlowGraph } from './flow-graph.js'

/** A schema with its root's definitions in it, valid on its own. */
export function standalone(node: Rooted): ValueSchema {
  const defs = node.root.$defs ?? {}
  if (node.schema === node.root || Object.keys(defs).length === 0) return node.schema
  const { $defs: _own, ...rest } = node.schema
  return { ...rest, $defs: defs }
}

export function flowOutputSchema(
  output: CompiledTemplate | undefined,
  graph: FlowGraph,
  outputs: readonly (Rooted | undefined)[],
  fenv: FlowEnvironment,
  rules: AccessRules,
): ValueSchema {
  if (output) return standalone(templateSchema(output, '/output', fenv, rules).type.schema)
  const ending = graph.steps.filter(
    (s) => graph.reachable[s.index] && s.success.some((t) => t.target === 'end'),
  )
  const composer = new SchemaComposer()
  const variants: ValueSchema[] = []
  const seen = new Set<string>()
  for (const s of ending) {
    const schema = outputs[s.index]
    if (!schema) return {}
    const embedded = composer.embed(schema)
    const key = JSON.stringify(embedded)
    if (seen.has(key)) continue
    seen.add(key)
    variants.push(embedded)
  }
  // A flow no path of which ends with a step's success completes with nothing: null at most.
  const top: ValueSchema =
    variants.length === 0
      ? { type: 'null' }
      : variants.length === 1
        ? (variants[0] as ValueSchema)
        : { anyOf: variants }
  return standalone(composer.finish(top))
}
