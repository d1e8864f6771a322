// Books a carrier for an order's parcels (one per unit); the simulated carrier takes at most 10.
export function run({ orderId, country, items }) {
  const parcels = items.reduce((sum, item) => sum + item.qty, 0)
  if (parcels > 10) throw `no carrier takes ${parcels} parcels: book freight for order ${orderId}`
  console.log(`booked ${parcels} parcel(s) to ${country} for order ${orderId}`)
  return { trackingId: `TRK-${country}-${orderId}`, parcels }
}
