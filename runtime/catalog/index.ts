/** The catalog of published components, tasks and flows. @module */
export {
  Catalog,
  executableTask,
  type LoadedFlow,
  type PublishedFlow,
  type PublishedTask,
} from './catalog.js'
