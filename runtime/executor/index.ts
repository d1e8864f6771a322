/** The executor: attempts of tasks in a sandboxed worker pool. @module */
export { AttemptStop } from './attempt-stop.js'
export type {
  AttemptFailure,
  AttemptRequest,
  AttemptResult,
  ExecutableTask,
  Executor,
  FailureKind,
} from './executor.js'
export { WorkerPool, type WorkerPoolOptions } from './worker-pool.js'
