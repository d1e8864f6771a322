// Refunds a card charge with a simulated payment provider.
export function run({ chargeId, amount, currency }) {
  console.log(`refunding ${amount} ${currency} of charge ${chargeId}`)
  return { refundId: `re_${chargeId}`, amount }
}
