/**
 * Migration 18: trace context. A run started with a W3C `traceparent`
 * keeps it, so that its trace goes on after a restart and on another node.
 */
export const statements = ['ALTER TABLE runs ADD COLUMN traceparent TEXT']
