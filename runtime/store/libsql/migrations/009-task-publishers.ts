/** Migration 9: who published each task version (an API key id), and so granted its capabilities. */
export const statements = ['ALTER TABLE tasks ADD COLUMN published_by TEXT']
