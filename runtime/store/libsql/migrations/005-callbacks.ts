/** Migration 5: the callback token of an async step's step run. */
export const statements = ['ALTER TABLE step_runs ADD COLUMN callback TEXT']
