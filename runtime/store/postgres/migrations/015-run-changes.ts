/**
 * Migration 15: run changes. Live streams of runs poll for the runs changed
 * since a cursor, in (updated_at, id) order: this index serves that order.
 */
export const statements = ['CREATE INDEX runs_by_change ON runs (updated_at, id)']
