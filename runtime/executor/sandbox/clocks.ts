/** wasi:clocks for the sandbox: the real monotonic and wall clocks, in nanoseconds. */
import { Pollable } from './io.js'

const origin = performance.timeOrigin

export const clocks = {
  'wasi:clocks/monotonic-clock': {
    now: (): bigint => BigInt(Math.round((origin + performance.now()) * 1e6)),
    resolution: (): bigint => 1000n,
    subscribeInstant: (when: bigint): Pollable => new Pollable(Number(when) / 1e6 - origin),
    subscribeDuration: (duration: bigint): Pollable =>
      new Pollable(performance.now() + Number(duration) / 1e6),
  },
  'wasi:clocks/wall-clock': {
    now() {
      const ms = Date.now()
      return { seconds: BigInt(Math.floor(ms / 1000)), nanoseconds: (ms % 1000) * 1e6 }
    },
    resolution: () => ({ seconds: 0n, nanoseconds: 1e6 }),
  },
}
