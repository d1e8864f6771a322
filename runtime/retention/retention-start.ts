/**
 * Retention as the server starts it: the configured windows logged at info
 * level (a default that deletes must never surprise), and the sweeper started
 * on this node, over the store's retention part and its audit log.
 */
import type { Config } from '../config.js'
import type { RetentionStore } from '../store/retention-store.js'
import {
  type AuditPruner,
  type RetentionLogger,
  RetentionSweeper,
  type SweepTiming,
} from './retention-sweeper.js'
import { describeWindow, retentionWindowMs } from './retention-window.js'

/** The start log's lines for the configured windows. */
export function retentionLines(config: Pick<Config, 'retention' | 'auditRetention'>): string[] {
  return [
    describeWindow('WEIR_RETENTION', config.retention, {
      deleted: 'retention: finished runs are deleted',
      after: 'after they end',
      kept: 'retention: off, finished runs are kept',
    }),
    describeWindow('WEIR_AUDIT_RETENTION', config.auditRetention, {
      deleted: 'audit retention: audit entries are deleted',
      after: 'after they are recorded',
      kept: 'audit retention: off, audit entries are kept',
    }),
  ]
}

/** Logs the windows and starts the sweeper; the server stops it before it closes the store. */
export function startRetention(options: {
  readonly config: Pick<Config, 'retention' | 'auditRetention'>
  readonly store: { readonly retention: RetentionStore; readonly audit?: AuditPruner }
  readonly node: string
  readonly logger: RetentionLogger
  readonly timing?: Partial<SweepTiming>
}): RetentionSweeper {
  const { config, store, logger } = options
  const runsMs = retentionWindowMs('WEIR_RETENTION', config.retention)
  const auditMs = retentionWindowMs('WEIR_AUDIT_RETENTION', config.auditRetention)
  for (const line of retentionLines(config))
    logger.info({ retention: config.retention, auditRetention: config.auditRetention }, line)
  const sweeper = new RetentionSweeper({
    retention: store.retention,
    audit: store.audit,
    node: options.node,
    runsMs,
    auditMs,
    logger,
    ...(options.timing ? { timing: options.timing } : {}),
  })
  sweeper.start()
  return sweeper
}
