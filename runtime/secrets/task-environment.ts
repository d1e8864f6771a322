/**
 * A task's environment for one attempt: its `capabilities.env` with each
 * secret read (and opened) now, so a rotated secret is seen from the next
 * attempt on without a republish; with the values to mask in what the
 * attempt produces.
 */
import type { EnvCapability } from '../../types/index.js'

export interface TaskEnvironment {
  /** Variables in the order the document lists them. */
  readonly vars: readonly (readonly [string, string])[]
  /** The secret values among them: masked in the attempt's output and log. */
  readonly secretValues: readonly string[]
}

/** What reading secrets needs: open one by name (undefined when it cannot be read). */
export interface SecretReader {
  reveal(name: string): Promise<string | undefined>
}

/** A reader that knows no secret (an engine given none). */
export const noSecrets: SecretReader = { reveal: async () => undefined }

export const emptyEnvironment: TaskEnvironment = Object.freeze({ vars: [], secretValues: [] })

export type EnvironmentResult =
  | { readonly ok: true; readonly environment: TaskEnvironment }
  | { readonly ok: false; readonly message: string }

/** Resolves `env`; a secret that cannot be read (gone, or sealed with another key) is a failure naming it. */
export async function taskEnvironment(
  env: EnvCapability | undefined,
  secrets: SecretReader,
): Promise<EnvironmentResult> {
  if (!env) return { ok: true, environment: emptyEnvironment }
  const vars: [string, string][] = []
  const secretValues: string[] = []
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue
    if (typeof value === 'string') {
      vars.push([name, value])
      continue
    }
    const revealed = await secrets.reveal(value.secret)
    if (revealed === undefined)
      return {
        ok: false,
        message: `secret "${value.secret}" of variable ${name} cannot be read: it is not set, or was sealed with another key`,
      }
    vars.push([name, revealed])
    secretValues.push(revealed)
  }
  return { ok: true, environment: { vars, secretValues } }
}
