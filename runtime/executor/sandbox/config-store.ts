/**
 * wasi:config/store for the sandbox (versions `0.2.0-draft` and
 * `0.2.0-draft-2024-09-27`, which jco both binds as `wasi:config/store`): the
 * task's environment variables of the attempt under way, for toolchains that
 * have no access to `wasi:cli/environment`. It never fails: an unknown key is
 * `none`.
 */
import type { AttemptVars } from './attempt-vars.js'

/** `vars()` is the environment of the attempt under way (instances outlive attempts). */
export function configStore(vars: () => AttemptVars) {
  return {
    'wasi:config/store': {
      get: (key: string): string | undefined => vars().find(([name]) => name === key)?.[1],
      getAll: (): [string, string][] => vars().map(([name, value]) => [name, value]),
    },
  }
}
