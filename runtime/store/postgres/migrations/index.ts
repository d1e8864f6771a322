/**
 * PostgreSQL's numbered migrations: the first is numbered 10, the schema
 * libSQL reaches with its migrations 1–10, and later ones share libSQL's numbers.
 */
import type { Migration } from '../../sql/migration.js'
import { statements as initial } from './010-initial.js'
import { statements as leases } from './011-leases.js'
import { statements as runRequests } from './012-run-requests.js'
import { statements as composition } from './013-composition.js'
import { statements as compensation } from './014-compensation.js'
import { statements as runChanges } from './015-run-changes.js'
import { statements as audit } from './016-audit.js'
import { statements as retention } from './017-retention.js'
import { statements as traceContext } from './018-trace-context.js'

export const migrations: readonly Migration[] = [
  { version: 10, name: 'initial', statements: initial },
  { version: 11, name: 'leases', statements: leases },
  { version: 12, name: 'run-requests', statements: runRequests },
  { version: 13, name: 'composition', statements: composition },
  { version: 14, name: 'compensation', statements: compensation },
  { version: 15, name: 'run-changes', statements: runChanges },
  { version: 16, name: 'audit', statements: audit },
  { version: 17, name: 'retention', statements: retention },
  { version: 18, name: 'trace-context', statements: traceContext },
]
