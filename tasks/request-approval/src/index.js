// Opens an approval ticket (here: writes it to the task's log) and returns it;
// the approver's answer arrives later through the step's callback URL.
export function run({ orderId, amount }) {
  const ticket = `APR-${orderId}`
  console.log(`approval requested: ${ticket}, refund of ${amount}`)
  return { ticket }
}
