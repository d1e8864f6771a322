/**
 * Entry point of the `weir` command (see program.ts for the commands and exit
 * codes): prints each error once, and stops quietly when its reader goes away.
 */
import { CommanderError } from 'commander'
import { ApiError } from './client.js'
import { printJson, problemLines } from './output.js'
import { buildProgram } from './program.js'
import { UsageError } from './usage-error.js'

const json = process.argv.includes('--json')

/**
 * `weir runs show … | head`: once the reader has what it wants and closes the
 * pipe, the next write fails with EPIPE, asynchronously (console.log does not
 * catch that). The output was not wanted any more: exit at once, without a
 * stack trace, like a Unix filter.
 */
function exitQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0)
    throw error
  })
}

exitQuietlyOnClosedPipe(process.stdout)
exitQuietlyOnClosedPipe(process.stderr)

try {
  await buildProgram().parseAsync(process.argv)
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2
  } else if (error instanceof ApiError) {
    if (json) printJson(error.problem)
    else for (const line of problemLines(error)) console.error(line)
    process.exitCode = 1
  } else if (error instanceof UsageError) {
    if (json) printJson({ detail: error.message })
    else console.error(`weir: ${error.message}`)
    process.exitCode = 2
  } else {
    if (json) printJson({ detail: (error as Error).message })
    else console.error(`weir: ${(error as Error).message}`)
    process.exitCode = 1
  }
}
