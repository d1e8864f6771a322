/** The numbered migrations, applied in order at start (each in one transaction, see Migration). */

import type { Migration } from '../../sql/migration.js'
import { statements as initial } from './001-initial.js'
import { statements as apiKeys } from './002-api-keys.js'
import { statements as stepWaits } from './003-step-waits.js'
import { statements as refusedStarts } from './004-refused-starts.js'
import { statements as callbacks } from './005-callbacks.js'
import { statements as schedules } from './006-schedules.js'
import { statements as storageProbe } from './007-storage-probe.js'
import { statements as refusalCodes } from './008-refusal-codes.js'
import { statements as taskPublishers } from './009-task-publishers.js'
import { statements as secrets } from './010-secrets.js'
import { statements as leases } from './011-leases.js'
import { statements as runRequests } from './012-run-requests.js'
import { statements as composition } from './013-composition.js'
import { statements as compensation } from './014-compensation.js'
import { statements as runChanges } from './015-run-changes.js'
import { statements as audit } from './016-audit.js'
import { beforeTransaction as beforeRetention, statements as retention } from './017-retention.js'
import { statements as traceContext } from './018-trace-context.js'

export const migrations: readonly Migration[] = [
  { version: 1, name: 'initial', statements: initial },
  { version: 2, name: 'api-keys', statements: apiKeys },
  { version: 3, name: 'step-waits', statements: stepWaits },
  { version: 4, name: 'refused-starts', statements: refusedStarts },
  { version: 5, name: 'callbacks', statements: callbacks },
  { version: 6, name: 'schedules', statements: schedules },
  { version: 7, name: 'storage-probe', statements: storageProbe },
  { version: 8, name: 'refusal-codes', statements: refusalCodes },
  { version: 9, name: 'task-publishers', statements: taskPublishers },
  { version: 10, name: 'secrets', statements: secrets },
  { version: 11, name: 'leases', statements: leases },
  { version: 12, name: 'run-requests', statements: runRequests },
  { version: 13, name: 'composition', statements: composition },
  { version: 14, name: 'compensation', statements: compensation },
  { version: 15, name: 'run-changes', statements: runChanges },
  { version: 16, name: 'audit', statements: audit },
  {
    version: 17,
    name: 'retention',
    statements: retention,
    beforeTransaction: beforeRetention,
  },
  { version: 18, name: 'trace-context', statements: traceContext },
]
