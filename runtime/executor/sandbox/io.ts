/**
 * wasi:io for the sandbox: pollables backed by deadlines (a blocked guest
 * sleeps its thread with Atomics.wait), an always-empty input stream (stdin),
 * and output streams that append to the attempt's bounded log.
 */
import type * as errorTypes from '@bytecodealliance/preview2-shim/interfaces/wasi-io-error'
import type * as pollTypes from '@bytecodealliance/preview2-shim/interfaces/wasi-io-poll'
import type * as streamTypes from '@bytecodealliance/preview2-shim/interfaces/wasi-io-streams'
import type { AttemptLog } from './attempt-log.js'

const sleeper = new Int32Array(new SharedArrayBuffer(4))

function sleepMs(ms: number): void {
  if (ms > 0) Atomics.wait(sleeper, 0, 0, ms)
}

export class IoError implements errorTypes.Error {
  readonly #message: string
  constructor(message: string) {
    this.#message = message
  }
  toDebugString(): string {
    return this.#message
  }
}

/** Ready at a deadline (milliseconds of `performance.now()`); `undefined` is ready at once. */
export class Pollable implements pollTypes.Pollable {
  readonly deadline: number | undefined
  constructor(deadline?: number) {
    this.deadline = deadline
  }
  ready(): boolean {
    return this.deadline === undefined || performance.now() >= this.deadline
  }
  block(): void {
    if (this.deadline !== undefined) sleepMs(this.deadline - performance.now())
  }
}

export function poll(pollables: Pollable[]): Uint32Array {
  if (pollables.length === 0) throw new Error('poll: the list of pollables is empty')
  const earliest = Math.min(...pollables.map((p) => p.deadline ?? 0))
  sleepMs(earliest - performance.now())
  const ready: number[] = []
  for (const [i, p] of pollables.entries()) if (p.ready()) ready.push(i)
  return Uint32Array.from(ready)
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
  readonly #log: () => AttemptLog
  /** `log` returns the log of the attempt under way (the stream outlives attempts on a warm instance). */
  constructor(log: () => AttemptLog) {
    this.#log = log
  }
  checkWrite(): bigint {
    return maxWrite
  }
  write(contents: Uint8Array): void {
    this.#log().write(contents)
  }
  blockingWriteAndFlush(contents: Uint8Array): void {
    this.#log().write(contents)
  }
  flush(): void {}
  blockingFlush(): void {}
  subscribe(): Pollable {
    return new Pollable()
  }
  writeZeroes(len: bigint): void {
    this.#log().write(new Uint8Array(Number(len)))
  }
  blockingWriteZeroesAndFlush(len: bigint): void {
    this.#log().write(new Uint8Array(Number(len)))
  }
  splice(_src: InputStream, _len: bigint): bigint {
    throw closed
  }
  blockingSplice(_src: InputStream, _len: bigint): bigint {
    throw closed
  }
}
