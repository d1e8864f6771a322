/** `weir flow check <file> --tasks <dir>`: the static checker, offline, against local task documents. */
import { checkFlow, formatProblem } from '../../types/index.js'
import { loadTaskFolder, resolverOf } from './load-tasks.js'
import { count } from './output.js'
import { readJsonFile } from './read-json.js'

export interface FlowCheckOptions {
  tasks: string
  json?: boolean
}

/** Returns the process exit code: 0 when the flow checks, 1 when it has problems. */
export async function flowCheckCommand(file: string, options: FlowCheckOptions): Promise<number> {
  const document = await readJsonFile(file)
  const tasks = await loadTaskFolder(options.tasks)
  const result = checkFlow(document, resolverOf(tasks))
  if (options.json) {
    const body = result.ok
      ? { ok: true, flow: result.compiled.document, warnings: result.warnings }
      : { ok: false, problems: result.problems, warnings: result.warnings }
    console.log(JSON.stringify(body, null, 2))
  } else {
    for (const w of result.warnings) console.log(`warning ${formatProblem(w)}`)
    if (result.ok) console.log(`${file}: ok (${count(result.compiled.steps.length, 'step')})`)
    else for (const p of result.problems) console.log(`error ${formatProblem(p)}`)
  }
  return result.ok ? 0 : 1
}
