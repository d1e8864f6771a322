// Scores the fraud risk of a payment from 0 (none) to 100, with the signals that raised it.
const risky = new Set(['XX', 'ZZ'])

export function run({ amount, country }) {
  const signals = []
  let score = 10
  if (amount > 5000) {
    score += 40
    signals.push('large amount')
  }
  if (amount > 20000) {
    score += 20
    signals.push('very large amount')
  }
  if (risky.has(country)) {
    score += 35
    signals.push(`country ${country}`)
  }
  return { score: Math.min(score, 100), signals }
}
