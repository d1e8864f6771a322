/** The durable engine: pure decisions and the run loop that drives runs. @module */
export { type Clock, ManualClock, systemClock } from './clock.js'
export {
  type BranchTaken,
  type Decision,
  decide,
  type FinishedAttempt,
  type Outcome,
} from './decide.js'
export {
  Engine,
  type EngineLogger,
  type EngineOptions,
  type GuardedStart,
  type StartOptions,
} from './engine.js'
export { errorCode, retryDelay } from './retry-policy.js'
