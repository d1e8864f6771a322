/**
 * The import object a task component is instantiated with: weir's WASI 0.2
 * sandbox, keyed by interface name (without version) as jco's instantiation
 * API expects. Each instance gets its own streams, writing to the log of the
 * attempt under way, its own HTTP session (the task version's grant), and
 * reads the environment of the attempt under way (wasi:cli/environment and
 * wasi:config/store).
 */
import { insecure, insecureSeed, random } from '@bytecodealliance/preview2-shim/random'
import type { AttemptLog } from './attempt-log.js'
import { type AttemptVars, noVars } from './attempt-vars.js'
import { createCli } from './cli.js'
import { clocks } from './clocks.js'
import { configStore } from './config-store.js'
import { denied } from './denied.js'
import type { HttpSession } from './http/session.js'
import { wasiHttp } from './http/wasi-http.js'
import { InputStream, IoError, OutputStream, Pollable, poll } from './io.js'

/** `log()` and `vars()` answer for the attempt under way, read at call time: instances are reused (no `vars`: an empty environment). */
export function sandboxImports(
  log: () => AttemptLog,
  http: HttpSession,
  vars: () => AttemptVars = () => noVars,
): Record<string, object> {
  return {
    'wasi:io/error': { Error: IoError },
    'wasi:io/poll': { Pollable, poll },
    'wasi:io/streams': { InputStream, OutputStream },
    ...createCli(log, vars),
    ...configStore(vars),
    ...clocks,
    'wasi:random/random': random,
    'wasi:random/insecure': insecure,
    'wasi:random/insecure-seed': insecureSeed,
    ...denied,
    ...wasiHttp(http),
  }
}
