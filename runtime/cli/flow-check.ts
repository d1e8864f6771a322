/** `weir flow check <file> --tasks <dir>`: the static checker, offline, against local task documents. */
import { readFile } from 'node:fs/promises'
import { checkFlow, formatProblem } from '../../types/index.js'
import { loadTaskFolder, resolverOf } from './load-tasks.js'

export interface FlowCheckOptions {
  tasks: string
  json?: boolean
}

/** Returns the process exit code: 0 when the flow checks, 1 when it has problems. */
export async function flowCheckCommand(file: string, options: FlowCheckOptions): Promise<number> {
  const document: unknown = JSON.parse(await readFile(file, 'utf8'))
  const tasks = await loadTaskFolder(options.tasks)
  const result = checkFlow(document, resolverOf(tasks))
  if (options.json) {
    const body = result.ok
      ? { ok: true, flow: result.compiled.document, warnings: result.warnings }
      : { ok: false, problems: result.problems, warnings: result.warnings }
    console.log(JSON.stringify(body, null, 2))
  } else {
    for (const w of result.warnings) console.log(`warning ${formatProblem(w)}`)
    if (result.ok) console.log(`${file}: ok (${result.compiled.steps.length} steps)`)
    else for (const p of result.problems) console.log(`error ${formatProblem(p)}`)
  }
  return result.ok ? 0 : 1
}
