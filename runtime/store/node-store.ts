/**
 * What the store keeps about nodes and their runs: the nodes themselves,
 * leases on runs (claims, renewals, takeover) and the requests one node
 * leaves for the owner of a run (operations, events, notices).
 */
import type { JsonValue } from '../../types/index.js'
import type { RunStatus } from './records.js'
import type { ActiveRun } from './store.js'

/** A node as it records itself: `weir serve` processes sharing the database. */
export interface NodeRecord {
  readonly id: string
  readonly host: string
  readonly pid: number
  readonly startedAt: number
  /** Its last heartbeat, in the database's clock. */
  readonly heartbeatAt: number
  /** Active runs it owns. */
  readonly runs: number
}

/** A run a node claimed: what it needs to resume it, and the epoch its commits are fenced by. */
export interface ClaimedRun extends ActiveRun {
  readonly epoch: number
}

/**
 * Run ownership: leases in the database's clock, claimed, renewed and
 * released by nodes; every claim moves a run's epoch on, which fences the
 * commits of the node that held it before.
 */
export interface LeaseStore {
  /** The database's clock, in epoch milliseconds. */
  databaseNow(): Promise<number>
  /** Records a node starting (again, for a known id). */
  registerNode(node: { id: string; host: string; pid: number }): Promise<void>
  /** Renews the node's heartbeat and the leases of the active runs it owns; returns how many runs it holds. */
  renewLeases(node: string, leaseMs: number): Promise<number>
  /**
   * Claims up to `limit` active runs that no node owns or whose lease expired
   * (with `own`, also those the node itself owned before a restart), oldest
   * first; claimers never take the same run.
   */
  claimRuns(
    node: string,
    leaseMs: number,
    limit: number,
    options?: { own?: boolean },
  ): Promise<ClaimedRun[]>
  /** The ids of the active runs the node owns. */
  ownedRuns(node: string): Promise<string[]>
  /** Claims one run whatever its status (a retry of a finished run), unless another node's lease on it holds. */
  claimRun(node: string, id: string, leaseMs: number): Promise<ClaimedRun | undefined>
  /** Lets go of every run the node owns (a graceful stop): other nodes may claim them at once. */
  releaseRuns(node: string): Promise<void>
  /** Nodes whose heartbeat is more recent than `withinMs`, with the active runs each owns. */
  listNodes(withinMs: number): Promise<NodeRecord[]>
}

/**
 * What a node asks of a run's owner: an operation, an event, a callback; or,
 * recorded with another run's change, a notice nobody waits an answer for: a
 * parent woken because a child ended (`wake`), a child stopped with its
 * parent (`cancel` or `terminate` with `{ "cascade": true }`).
 */
export interface RunRequestRecord {
  readonly id: string
  readonly runId: string
  readonly kind: 'cancel' | 'terminate' | 'pause' | 'resume' | 'event' | 'callback' | 'wake'
  /** The request's arguments (an event's name and payload, a callback's token and body). */
  readonly body: JsonValue
  readonly createdAt: number
  /** A notice: nobody waits for its answer; it is deleted once applied, offered again if it was not. */
  readonly notice?: boolean
}

/** Who drives a run now. */
export interface RunOwner {
  readonly status: RunStatus
  readonly owner: string | undefined
  /** Whether the owner's lease holds (the database's clock). */
  readonly live: boolean
  /** The epoch of the owner's claim, and the sequence number of the run's last committed event. */
  readonly epoch: number
  readonly eventSeq: number
}

/**
 * Requests for runs another node drives: the receiving node records one and
 * waits for its answer; the owner takes it (once), applies it and answers.
 */
export interface RunRequestStore {
  runOwner(id: string): Promise<RunOwner | undefined>
  addRunRequest(request: RunRequestRecord): Promise<void>
  /** Requests no node took yet (and notices taken long ago but not applied), for runs `node` owns, oldest first. */
  pendingRunRequests(node: string, limit: number): Promise<RunRequestRecord[]>
  /** False when the request was withdrawn or taken already. */
  takeRunRequest(id: string, at: number): Promise<boolean>
  answerRunRequest(id: string, answer: JsonValue, at: number): Promise<void>
  /** The answer once there is one; the request is gone then. */
  collectRunAnswer(id: string): Promise<JsonValue | undefined>
  /** True when the request is gone unapplied; false when an owner took it. */
  withdrawRunRequest(id: string): Promise<boolean>
  /** Forgets a notice once applied (nobody collects an answer to it). */
  deleteRunRequest(id: string): Promise<void>
}
