// Charges a card with a simulated payment provider: amounts over 10,000 are declined.
export function run({ orderId, amount, currency }) {
  if (amount > 10000) throw `card declined: ${amount} ${currency} is over the limit`
  console.log(`charging ${amount} ${currency} for order ${orderId}`)
  return { chargeId: `ch_${orderId}_${Math.round(amount * 100)}`, amount }
}
