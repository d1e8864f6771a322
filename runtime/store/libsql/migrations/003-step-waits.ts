/** Migration 3: what the current step of a run waits for (a sleep or an event), as JSON. */
export const statements = ['ALTER TABLE runs ADD COLUMN waiting TEXT']
