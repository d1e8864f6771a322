/** Migration 8: why a start was refused, as a stable code (refusals recorded before say only their reason). */
export const statements = [
  "ALTER TABLE refused_starts ADD COLUMN code TEXT NOT NULL DEFAULT 'guard_error'",
]
