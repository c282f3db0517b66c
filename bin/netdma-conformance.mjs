#!/usr/bin/env node
// The CLI runs the compiled suite (dist/, which `npm run build` writes and `npm ci` builds through
// the `prepare` script): no TypeScript is compiled to start it. A candidate written in TypeScript
// is still loaded through tsx, by the runner, inside its isolated worker.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('netdma-conformance: the compiled suite (dist/) is missing; run `npm run build` in the package folder\n');
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
