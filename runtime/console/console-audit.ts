/**
 * The console's changes in the audit log, as the API's are: the run
 * operations, event deliveries and schedule switches a visitor makes, with
 * the key behind the session, the outcome and the node, and `via: console`.
 * Written before the answer; a failed write is logged, not the visitor's
 * problem (the change has happened).
 */
import type { Context } from 'hono'
import { sortableId } from '../ids.js'
import type { ConsoleContext, ConsoleEnv } from './console-app.js'

export async function auditConsole(
  c: Context<ConsoleEnv>,
  context: ConsoleContext,
  action: string,
  target: string,
  outcome: { readonly code: string; readonly status: number },
): Promise<void> {
  const { visitor } = c.var
  const at = Date.now()
  const entry = {
    id: sortableId(at),
    at,
    keyId: visitor.keyId,
    keyName: visitor.name,
    role: visitor.role,
    action,
    target,
    outcome: outcome.code,
    status: outcome.status,
    node: context.app.engine.node.id,
    details: { via: 'console' },
  }
  try {
    await context.app.store.audit.append(entry)
  } catch (error) {
    console.error(`weir: audit entry not written: ${JSON.stringify(entry)}: ${String(error)}`)
  }
}

/** The outcome of a console change that succeeded (answered with a redirect). */
export const done = { code: 'ok', status: 303 } as const
