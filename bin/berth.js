#!/usr/bin/env node
// Runs the compiled CLI when `npm run build` has made one, else the TypeScript
// sources directly (Node >= 22.18 strips types itself).
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
const entry = existsSync(compiled) ? compiled : new URL('../src/cli/main.ts', import.meta.url);
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
