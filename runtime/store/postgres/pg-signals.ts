/**
 * Signals between nodes over PostgreSQL's LISTEN/NOTIFY: one connection of
 * its own, outside the pool, listens on a channel per topic (opened when the
 * first listener comes); a signal is a `pg_notify` through the pool. A lost
 * listening connection is opened again after a second, meanwhile the nodes
 * poll as they always do (signals.ts).
 */
import pg from 'pg'
import {
  type SignalListener,
  SignalListeners,
  type SignalTopic,
  type StoreSignals,
} from '../signals.js'

const topics: readonly SignalTopic[] = ['run_request', 'run_answer']
const channelOf = (topic: SignalTopic) => `weir_${topic}`
const topicOf = new Map(topics.map((t) => [channelOf(t), t]))

/** The pause before listening again after the connection was lost. */
const reconnectMs = 1000

export class PgSignals implements StoreSignals {
  readonly #url: string
  readonly #pool: pg.Pool
  readonly #listeners = new SignalListeners()
  /** The listening connection, once it listens. */
  #client: pg.Client | undefined
  #connecting = false
  #retry: NodeJS.Timeout | undefined
  #closed = false
  /** Connections already given up (their late 'error' and 'end' events change nothing). */
  readonly #lost = new WeakSet<pg.Client>()

  constructor(url: string, pool: pg.Pool) {
    this.#url = url
    this.#pool = pool
  }

  get live(): boolean {
    return this.#client !== undefined
  }

  on(topic: SignalTopic, listener: SignalListener): () => void {
    const off = this.#listeners.add(topic, listener)
    this.#listen()
    return off
  }

  send(topic: SignalTopic, subject: string): void {
    this.#pool.query('SELECT pg_notify($1, $2)', [channelOf(topic), subject]).catch(() => {
      // Lost with the database: the poll finds what it was about.
    })
  }

  #listen(): void {
    if (this.#closed || this.#client || this.#connecting || this.#retry) return
    this.#connecting = true
    const client = new pg.Client({ connectionString: this.#url, connectionTimeoutMillis: 5000 })
    client.on('notification', ({ channel, payload }) => {
      const topic = topicOf.get(channel)
      if (topic && payload !== undefined) this.#listeners.dispatch(topic, payload)
    })
    client.on('error', () => this.#drop(client))
    client.on('end', () => this.#drop(client))
    const listening = async () => {
      await client.connect()
      for (const topic of topics) await client.query(`LISTEN ${channelOf(topic)}`)
    }
    listening().then(
      () => {
        this.#connecting = false
        if (this.#lost.has(client)) return
        if (this.#closed) void client.end().catch(() => {})
        else this.#client = client
      },
      () => {
        this.#connecting = false
        this.#drop(client)
      },
    )
  }

  /** Gives up a connection and listens again a little later. */
  #drop(client: pg.Client): void {
    if (this.#lost.has(client)) return
    this.#lost.add(client)
    if (this.#client === client) this.#client = undefined
    void client.end().catch(() => {})
    if (this.#closed || this.#retry) return
    this.#retry = setTimeout(() => {
      this.#retry = undefined
      this.#listen()
    }, reconnectMs)
    this.#retry.unref()
  }

  async close(): Promise<void> {
    this.#closed = true
    clearTimeout(this.#retry)
    const client = this.#client
    this.#client = undefined
    if (client) {
      this.#lost.add(client)
      await client.end().catch(() => {})
    }
  }
}
