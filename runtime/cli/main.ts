/** Entry point of the `weir` command (see program.ts for the commands). */
import { CommanderError } from 'commander'
import { buildProgram } from './program.js'

try {
  await buildProgram().parseAsync(process.argv)
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2
  } else {
    console.error(`weir: ${(error as Error).message}`)
    process.exitCode = 1
  }
}
