/**
 * Migration 14: compensation. A run undoing its steps before it ends failed
 * or cancelled keeps what is left to undo and the outcome it ends with
 * (`runs.compensation`, JSON); a compensation's step run names the step run
 * it undoes (`step_runs.compensates`).
 */
export const statements = [
  'ALTER TABLE runs ADD COLUMN compensation TEXT',
  'ALTER TABLE step_runs ADD COLUMN compensates INTEGER',
]
