/**
 * Migration 13: composition. Every flow version stores the schema of its
 * output (computed by the checker at publish; versions published before get
 * it at the next start, see Catalog.backfillFlowOutputs) and how deep its
 * sub-flows nest. A run may be the child of a step of another run: its
 * parent, the parent's step run and attempt, the item or branch it is for,
 * its root and its depth, and for a parallel branch the one-step flow of its
 * parent's flow it runs (`inline`: step/branch). One child per (parent, step run, item or branch,
 * attempt), enforced here. A run request may be a notice (a parent woken, a
 * child stopped), which nobody waits an answer for and which is offered again
 * when the node that took it did not apply it. A retried run's attempts go on
 * counting from where they stopped (`attempt_base`: the attempts before its
 * retry, which do not count against the step's allowance).
 */
export const statements = [
  'ALTER TABLE flows ADD COLUMN output_schema TEXT',
  'ALTER TABLE flows ADD COLUMN nesting INTEGER NOT NULL DEFAULT 0',
  'ALTER TABLE runs ADD COLUMN parent_run TEXT',
  'ALTER TABLE runs ADD COLUMN parent_step TEXT',
  'ALTER TABLE runs ADD COLUMN parent_seq INTEGER',
  'ALTER TABLE runs ADD COLUMN parent_attempt INTEGER',
  "ALTER TABLE runs ADD COLUMN parent_key TEXT NOT NULL DEFAULT ''",
  'ALTER TABLE runs ADD COLUMN root_run TEXT',
  'ALTER TABLE runs ADD COLUMN inline TEXT',
  'ALTER TABLE runs ADD COLUMN depth INTEGER NOT NULL DEFAULT 0',
  'ALTER TABLE run_requests ADD COLUMN notice INTEGER NOT NULL DEFAULT 0',
  'ALTER TABLE runs ADD COLUMN attempt_base INTEGER NOT NULL DEFAULT 0',
  'CREATE UNIQUE INDEX runs_child ON runs (parent_run, parent_seq, parent_key, parent_attempt) WHERE parent_run IS NOT NULL',
]
