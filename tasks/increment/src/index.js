// Adds one to a counter, saturating at the u32 maximum.
export function run({ n }) {
  return { n: Math.min(n + 1, 4294967295) }
}
