/** Entry point of the `weir` command (see program.ts for the commands and exit codes). */
import { CommanderError } from 'commander'
import { ApiError } from './client.js'
import { printJson, problemLines } from './output.js'
import { buildProgram } from './program.js'

const json = process.argv.includes('--json')

try {
  await buildProgram().parseAsync(process.argv)
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2
  } else if (error instanceof ApiError) {
    if (json) printJson(error.problem)
    else for (const line of problemLines(error)) console.error(line)
    process.exitCode = 1
  } else {
    if (json) printJson({ detail: (error as Error).message })
    else console.error(`weir: ${(error as Error).message}`)
    process.exitCode = 1
  }
}
