#!/usr/bin/env node
import { run } from './run.js';

// The exit code is set, not forced: the process ends once the store is
// closed, so buffered output is flushed.
void run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
