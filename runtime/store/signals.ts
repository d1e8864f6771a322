/**
 * Signals between nodes that share a store: a hint that something a node
 * waits for was just stored — a request for a run it drives, the answer to a
 * request it made — so that it reads the store now instead of at its next
 * poll. A signal may be lost (a connection dropped meanwhile): the poll stays
 * as the fallback, so signals only ever make things sooner, never correct.
 * PostgreSQL carries them between nodes (LISTEN/NOTIFY, pg-signals.ts); on
 * libSQL they reach the listeners of the same store object only.
 */

export type SignalTopic = 'run_request' | 'run_answer'

/** Called with the signal's subject: the run a request is for, the request an answer is to. */
export type SignalListener = (subject: string) => void

export interface StoreSignals {
  /** True while signals sent by other nodes arrive; false: polling is all there is. */
  readonly live: boolean
  /** Listens for a topic until the returned function is called. */
  on(topic: SignalTopic, listener: SignalListener): () => void
  /** Sends a signal, after what it is about was committed; never throws. */
  send(topic: SignalTopic, subject: string): void
  close(): Promise<void>
}

/** Listeners by topic, each called with every signal's subject; a throwing listener harms no other. */
export class SignalListeners {
  readonly #byTopic = new Map<SignalTopic, Set<SignalListener>>()

  add(topic: SignalTopic, listener: SignalListener): () => void {
    let listeners = this.#byTopic.get(topic)
    if (!listeners) {
      listeners = new Set()
      this.#byTopic.set(topic, listeners)
    }
    const set = listeners
    set.add(listener)
    return () => {
      set.delete(listener)
    }
  }

  dispatch(topic: SignalTopic, subject: string): void {
    for (const listener of [...(this.#byTopic.get(topic) ?? [])]) {
      try {
        listener(subject)
      } catch {
        // A listener's fault is its own: the signal is only a hint.
      }
    }
  }
}

/** Signals within this process only (one store object's listeners). */
export class LocalSignals implements StoreSignals {
  readonly #listeners = new SignalListeners()

  get live(): boolean {
    return false
  }

  on(topic: SignalTopic, listener: SignalListener): () => void {
    return this.#listeners.add(topic, listener)
  }

  send(topic: SignalTopic, subject: string): void {
    queueMicrotask(() => this.#listeners.dispatch(topic, subject))
  }

  async close(): Promise<void> {}
}
