/**
 * wasi:io for the sandbox: pollables that are ready at a deadline or when a
 * condition holds (a blocked guest sleeps its thread with Atomics.wait on the
 * thread's wake signal, which the HTTP helper thread bumps on every message),
 * an always-empty input stream (stdin), and output streams into a sink (the
 * attempt's bounded log, or a request body).
 */

import type { ErrorCode } from '@bytecodealliance/preview2-shim/interfaces/wasi-http-types'
import type * as errorTypes from '@bytecodealliance/preview2-shim/interfaces/wasi-io-error'
import type * as pollTypes from '@bytecodealliance/preview2-shim/interfaces/wasi-io-poll'
import type * as streamTypes from '@bytecodealliance/preview2-shim/interfaces/wasi-io-streams'

/**
 * The thread's wake signal: a counter that whoever delivers something to this
 * thread (the HTTP helper) increments and notifies, so a guest blocked in
 * `poll` wakes as soon as there is news, and otherwise sleeps until a deadline.
 */
export const wakeSignal = new Int32Array(new SharedArrayBuffer(4))

/** Sleeps until the signal moves past `seen` or `until` (ms of `performance.now()`; undefined: no deadline). */
function waitForNews(seen: number, until: number | undefined): void {
  if (until === undefined) {
    Atomics.wait(wakeSignal, 0, seen)
    return
  }
  const ms = until - performance.now()
  if (ms > 0) Atomics.wait(wakeSignal, 0, seen, ms)
}

export class IoError implements errorTypes.Error {
  readonly #message: string
  /** What `wasi:http/types#http-error-code` answers for this error. */
  readonly httpCode: ErrorCode | undefined
  constructor(message: string, httpCode?: ErrorCode) {
    this.#message = message
    this.httpCode = httpCode
  }
  toDebugString(): string {
    return this.#message
  }
}

/**
 * Ready at a deadline (milliseconds of `performance.now()`), or as soon as
 * `condition` holds; with neither, ready at once.
 */
export class Pollable implements pollTypes.Pollable {
  readonly deadline: number | undefined
  readonly #condition: (() => boolean) | undefined
  constructor(deadline?: number, condition?: () => boolean) {
    this.deadline = deadline
    this.#condition = condition
  }
  ready(): boolean {
    if (this.#condition?.()) return true
    if (this.deadline !== undefined) return performance.now() >= this.deadline
    return this.#condition === undefined
  }
  block(): void {
    poll([this])
  }
}

export function poll(pollables: Pollable[]): Uint32Array {
  if (pollables.length === 0) throw new Error('poll: the list of pollables is empty')
  const deadlines = pollables.flatMap((p) => (p.deadline === undefined ? [] : [p.deadline]))
  const earliest = deadlines.length > 0 ? Math.min(...deadlines) : undefined
  for (;;) {
    const seen = Atomics.load(wakeSignal, 0)
    const ready: number[] = []
    for (const [i, p] of pollables.entries()) if (p.ready()) ready.push(i)
    if (ready.length > 0) return Uint32Array.from(ready)
    waitForNews(seen, earliest)
  }
}

const closed = { tag: 'closed' } as const

export class InputStream implements streamTypes.InputStream {
  read(_len: bigint): Uint8Array {
    throw closed
  }
  blockingRead(_len: bigint): Uint8Array {
    throw closed
  }
  skip(_len: bigint): bigint {
    throw closed
  }
  blockingSkip(_len: bigint): bigint {
    throw closed
  }
  subscribe(): Pollable {
    return new Pollable()
  }
}

const maxWrite = 1n << 20n

export class OutputStream implements streamTypes.OutputStream {
  readonly #sink: (bytes: Uint8Array) => void
  /** `sink` takes every byte written (it may throw a stream error, e.g. once the stream is closed). */
  constructor(sink: (bytes: Uint8Array) => void) {
    this.#sink = sink
  }
  checkWrite(): bigint {
    return maxWrite
  }
  write(contents: Uint8Array): void {
    this.#sink(contents)
  }
  blockingWriteAndFlush(contents: Uint8Array): void {
    this.#sink(contents)
  }
  flush(): void {}
  blockingFlush(): void {}
  subscribe(): Pollable {
    return new Pollable()
  }
  writeZeroes(len: bigint): void {
    this.#sink(new Uint8Array(Number(len)))
  }
  blockingWriteZeroesAndFlush(len: bigint): void {
    this.#sink(new Uint8Array(Number(len)))
  }
  splice(_src: InputStream, _len: bigint): bigint {
    throw closed
  }
  blockingSplice(_src: InputStream, _len: bigint): bigint {
    throw closed
  }
}
