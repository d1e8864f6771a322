/**
 * wasi:cli for the sandbox: the environment of the attempt under way (its
 * task's `capabilities.env`, never the host's), no arguments, no working
 * directory, an empty stdin, stdout and stderr into the attempt's log, no
 * terminals, and `exit` that ends the attempt (never the host process).
 */
import type { AttemptLog } from './attempt-log.js'
import type { AttemptVars } from './attempt-vars.js'
import { InputStream, OutputStream } from './io.js'

/** Thrown by `exit`: unwinds the guest and ends the attempt. */
export class ExitSignal extends Error {
  readonly code: number
  constructor(code: number) {
    super(`the task called exit with status ${code}`)
    this.name = 'ExitSignal'
    this.code = code
  }
}

class TerminalInput {}
class TerminalOutput {}

/** `log()` and `vars()` are those of the attempt under way: a warm instance outlives attempts. */
export function createCli(log: () => AttemptLog, vars: () => AttemptVars) {
  const stdin = new InputStream()
  // `log()` is the log of the attempt under way: the streams outlive attempts on a warm instance.
  const toLog = (bytes: Uint8Array) => log().write(bytes)
  const stdout = new OutputStream(toLog)
  const stderr = new OutputStream(toLog)
  return {
    'wasi:cli/environment': {
      getEnvironment: (): [string, string][] => vars().map(([name, value]) => [name, value]),
      getArguments: (): string[] => [],
      initialCwd: (): string | undefined => undefined,
    },
    'wasi:cli/exit': {
      exit(status: { tag: 'ok' | 'err' }): never {
        throw new ExitSignal(status.tag === 'ok' ? 0 : 1)
      },
      exitWithCode(code: number): never {
        throw new ExitSignal(code)
      },
    },
    'wasi:cli/stdin': { getStdin: () => stdin },
    'wasi:cli/stdout': { getStdout: () => stdout },
    'wasi:cli/stderr': { getStderr: () => stderr },
    'wasi:cli/terminal-input': { TerminalInput },
    'wasi:cli/terminal-output': { TerminalOutput },
    'wasi:cli/terminal-stdin': { getTerminalStdin: (): TerminalInput | undefined => undefined },
    'wasi:cli/terminal-stdout': { getTerminalStdout: (): TerminalOutput | undefined => undefined },
    'wasi:cli/terminal-stderr': { getTerminalStderr: (): TerminalOutput | undefined => undefined },
  }
}
