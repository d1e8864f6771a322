// Sends a message to a channel (here: writes it to the task's log).
export function run({ channel, message }) {
  console.log(`[${channel}] ${message}`)
  return { sent: true, channel }
}
