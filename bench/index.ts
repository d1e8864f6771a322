/** Runs every benchmark and prints a table: `npm run bench`. */
import { benchCheckFlow } from './check-flow.js'
import { report } from './measure.js'

report([...benchCheckFlow()])
