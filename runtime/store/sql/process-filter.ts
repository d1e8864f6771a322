/**
 * A process filter: the process itself and its sub-processes, on `/`
 * boundaries (`billing` matches `billing` and `billing/eu`, not `billing-eu`),
 * with LIKE's wildcards in the name taken literally.
 */
import type { SqlValue } from './sql-client.js'

const escapeLike = (text: string) => text.replace(/[!%_]/g, (c) => `!${c}`)

/** The SQL condition on `column` and its two arguments. */
export function processFilter(column: string, process: string): { sql: string; args: SqlValue[] } {
  return {
    sql: `(${column} = ? OR ${column} LIKE ? ESCAPE '!')`,
    args: [process, `${escapeLike(process)}/%`],
  }
}
