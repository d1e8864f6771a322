/**
 * Migration 17: retention. Filled in by the retention work (finished root
 * runs by time, the lease that says which node sweeps).
 */
export const statements: string[] = []
