#!/usr/bin/env node
// The `weir` command: runs the compiled CLI (built into dist/ by `npm install`).
import '../dist/runtime/cli/main.js'
