#!/usr/bin/env node
// Runs the compiled CLI when `npm run build` has made one, else the TypeScript
// sources directly (Node >= 22.18 strips types itself).
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
const entry = existsSync(compiled) ? compiled : new URL('../src/cli/main.ts', import.meta.url);
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
// The command has finished and closed what it opened; a client a library keeps
// reconnecting (Redis gone at shutdown) must not keep the process alive.
setTimeout(() => process.exit(), 2000).unref();
