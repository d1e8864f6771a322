// Checks that an order has items, positive quantities and a two-letter country.
const countries = new Set(['DE', 'FR', 'NL', 'US', 'GB', 'ES', 'IT'])

export function run(order) {
  if (order.items.length === 0) return { ok: false, reason: 'the order has no items' }
  const empty = order.items.find((item) => item.qty === 0)
  if (empty) return { ok: false, reason: `item ${empty.sku} has quantity 0` }
  if (!countries.has(order.country))
    return { ok: false, reason: `we do not ship to ${order.country}` }
  return { ok: true }
}
