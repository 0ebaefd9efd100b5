#!/usr/bin/env node
// Runs the compiled CLI when `npm run build` has made one, else the TypeScript
// sources directly (Node >= 22.18 strips types itself).
import { existsSync } from 'node:fs';
import { enableCompileCache } from 'node:module';

// Node's compile cache keeps V8's code for the modules a command loads, so every
// start after the first skips most parsing and compiling: in the package's .cache/
// when it is writable, else the OS temp folder. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
const FAILED = 0;
if (enableCompileCache(new URL('../.cache/compile', import.meta.url).pathname).status === FAILED) {
  enableCompileCache();
}

const compiled = new URL('../dist/cli/main.js', import.meta.url);
const entry = existsSync(compiled) ? compiled : new URL('../src/cli/main.ts', import.meta.url);
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
// The command has finished and closed what it opened; a client a library keeps
// reconnecting (Redis gone at shutdown) must not keep the process alive.
setTimeout(() => process.exit(), 2000).unref();
