/** Components: decoding WIT signatures, the signature check, building JS tasks, the transpile cache. @module */
export {
  type BuildOptions,
  type BuiltTask,
  buildTask,
  componentizeJs,
  readTaskFolder,
} from './build-task.js'
export { checkTaskComponent, type TaskComponentCheck } from './check-task.js'
export { ComponentCache, sha256Hex, type TranspiledComponent } from './component-cache.js'
export {
  type ComponentImport,
  type DecodedComponent,
  decodeComponent,
  type ExportedFunction,
} from './decode-component.js'
export { checkImports } from './imports-policy.js'
export { worldForTask } from './schema-to-wit.js'
export {
  checkSignature,
  type FunctionBinding,
  type SignatureCheck,
  type TaskSchemas,
} from './signature.js'
export { type FuncType, formatFuncType, formatWitType, type WitType } from './wit-types.js'
