/**
 * weir's flow language: document schemas and validation, CEL expressions and
 * templates, the schema compatibility relation and the static checker, and the
 * typed flow builder. Browser-safe: nothing here imports a `node:` module.
 *
 * @module
 */
export {
  type EdgeSpec,
  type Expr,
  FlowBuilder,
  type FlowSpec,
  flow,
  type Ref,
  type Scope,
  type StepOptions,
  subflow,
  type TaskSpec,
  type Template,
  task,
} from './builder.js'
export {
  type Availability,
  type CheckFlowOptions,
  checkFlow,
  type FlowCheck,
} from './checker/check-flow.js'
export type { CompiledCompensation } from './checker/compensation-step.js'
export { compensationStepId } from './checker/compensation-step.js'
export type {
  CompiledEdge,
  CompiledFlow,
  CompiledStep,
  CompiledTrigger,
} from './checker/compiled-flow.js'
export type { Target } from './checker/flow-graph.js'
export {
  defaultMaxNesting,
  type FlowResolver,
  parseFlowRef,
  type ResolvedFlow,
} from './checker/flow-refs.js'
export type { CompiledForEach } from './checker/for-each-step.js'
export type { BranchTarget, CompiledBranch } from './checker/parallel-step.js'
export {
  formatTaskRef,
  parseTaskRef,
  type ResolvedTask,
  type TaskRef,
  type TaskResolver,
} from './checker/task-refs.js'
export { closest, didYouMean } from './did-you-mean.js'
export { schemaIds } from './documents/document-schemas.js'
export {
  type AllowedOrigin,
  isLinkLocal,
  originAllowed,
  type ParsedOrigin,
  parseOrigin,
  type RequestOrigin,
} from './documents/origins.js'
export {
  type Validated,
  validateFlowSchema,
  validateTaskDocument,
  validateValueSchema,
} from './documents/validate-document.js'
export { formatProblem, type Problem, type ProblemCode } from './errors.js'
export { celToJson, NotJsonError } from './expressions/cel-values.js'
export {
  type CompiledExpression,
  compileExpression,
  ExpressionLimitError,
  type ScopePath,
} from './expressions/compile-expression.js'
export {
  type CompiledTemplate,
  compileTemplate,
  type EvaluationLimitDetails,
  evaluateTemplate,
  TemplateEvaluationError,
} from './expressions/compile-template.js'
export {
  defaultEvaluationLimits,
  type EvaluationLimits,
} from './expressions/evaluation-limits.js'
export {
  ExpressionScope,
  type RunInfo,
  type ScopeValues,
  type StepValues,
} from './expressions/expression-scope.js'
export { FlowEnvironment, type StepScope } from './expressions/flow-environment.js'
export {
  type ErrorKind,
  errorKinds,
  runInfoSchema,
  stepErrorSchema,
} from './expressions/scope-schemas.js'
export type * from './generated/flow.js'
export type * from './generated/task.js'
export type * from './generated/value-schema.js'
export type { JsonObject, JsonPrimitive, JsonValue } from './json.js'
export {
  defaultJsonLimits,
  type JsonLimits,
  type JsonMeasure,
  measureJson,
} from './json-limits.js'
export { parsePointer, pointer } from './pointer.js'
export { isAssignable, type Mismatch } from './schema/assignable.js'
export { describe as describeSchema } from './schema/describe.js'
export { type Rooted, resolve as resolveSchema, rooted } from './schema/rooted.js'
export { compileValueSchema, validateValue } from './schema/value-validator.js'
