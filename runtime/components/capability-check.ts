/**
 * Capabilities checked against what a component imports, at publish: a
 * component that imports `wasi:http/outgoing-handler` (any 0.2.x) publishes
 * only when its task grants `http`, and a grant its component cannot use is
 * warned about. Versions published before this rule keep publishing's old
 * verdict: they stay valid and every request of theirs is refused. A
 * component that imports `wasi:config/store` publishes only with `env`.
 */
import type { Problem, TaskDocument } from '../../types/index.js'
import type { ComponentImport } from './decode-component.js'
import { splitVersion } from './imports-policy.js'

const outgoingHandler = 'wasi:http/outgoing-handler'
const configStore = 'wasi:config/store'

function importOf(imports: readonly ComponentImport[], iface: string): ComponentImport | undefined {
  return imports.find((i) => i.sort === 'instance' && splitVersion(i.name).interface === iface)
}

/** Problems (a capability the component needs and the task lacks) and warnings (a grant it cannot use). */
export function checkCapabilities(
  task: TaskDocument,
  imports: readonly ComponentImport[],
): { problems: Problem[]; warnings: Problem[] } {
  const problems: Problem[] = []
  const warnings: Problem[] = []
  const imported = importOf(imports, outgoingHandler)
  const granted = task.capabilities?.http
  if (imported && !granted) {
    problems.push({
      pointer: '/capabilities/http',
      code: 'capability_required',
      message: `the component imports "${imported.name}", which needs the http capability: grant it with "capabilities": { "http": { "allow": [<origins>] } } (e.g. "https://api.example.com")`,
    })
  }
  if (granted && !imported) {
    warnings.push({
      pointer: '/capabilities/http',
      code: 'capability_unused',
      message: `the task grants http but its component does not import ${outgoingHandler}: it cannot make requests (a JavaScript task gets fetch when built with weir task build from a task.json that grants http)`,
    })
  }
  const config = importOf(imports, configStore)
  if (config && !task.capabilities?.env) {
    problems.push({
      pointer: '/capabilities/env',
      code: 'capability_required',
      message: `the component imports "${config.name}", which reads the task's environment: declare it with "capabilities": { "env": { "NAME": "value" } }`,
    })
  }
  return { problems, warnings }
}
