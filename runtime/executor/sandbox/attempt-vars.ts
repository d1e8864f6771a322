/**
 * The environment variables an attempt's task sees: the vars of its task's
 * `capabilities.env`, resolved (secrets opened) by the engine for this
 * attempt only, and nothing of the host's own environment.
 */

export type AttemptVars = readonly (readonly [string, string])[]

/** No variables: an attempt without environment, and a sealed task. */
export const noVars: AttemptVars = []
