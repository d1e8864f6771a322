/** Retention: deleting finished run trees, refused starts and audit entries past their windows. @module */

export { retentionLines, startRetention } from './retention-start.js'
export {
  type AuditPruner,
  defaultSweepTiming,
  type RetentionLogger,
  RetentionSweeper,
  retentionLease,
  type SweeperOptions,
  type SweepResult,
  type SweepTiming,
} from './retention-sweeper.js'
export { checkedWindow, describeWindow, retentionWindowMs } from './retention-window.js'
