/**
 * `npm run kill-matrix`: computes the kill matrix for the lifecycle and the data-path properties
 * and writes reports/kill-matrix.md and reports/kill-matrix.json. `--seed N`, `--runs N` (faulty
 * runs, both properties) and `--property lifecycle|datapath` (one property only) override the
 * defaults; NETDMA_SEED is honoured as in the tests. Exits 1 when a faulty provider survives, is
 * caught by an undeclared rule, shrinks past its slack (lifecycle), or a correct provider is
 * rejected by either property.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PowerProperty } from '../../properties/power/measure';
import { SEED } from '../../properties/seed';
import { SUITE_ROOT } from './check';
import { computeKillMatrix, renderKillMatrixJson, renderKillMatrixMarkdown, type PropertyMatrix } from './kill-matrix';

function flag(name: string): number | undefined {
  const i = process.argv.indexOf(name);
  if (i < 0) return undefined;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n <= 0) {
    process.stderr.write(`${name} needs a positive integer\n`);
    process.exit(2);
  }
  return n;
}

function propertyFlag(): readonly PowerProperty[] | undefined {
  const i = process.argv.indexOf('--property');
  if (i < 0) return undefined;
  const v = process.argv[i + 1];
  if (v === 'lifecycle' || v === 'datapath') return [v];
  if (v === 'all') return undefined;
  process.stderr.write('--property needs lifecycle, datapath or all\n');
  process.exit(2);
}

const seed = flag('--seed') ?? SEED;
const faultyRuns = flag('--runs');
const properties = propertyFlag();
const t0 = Date.now();
const m = computeKillMatrix({ seed, ...(faultyRuns !== undefined ? { faultyRuns } : {}), ...(properties !== undefined ? { properties } : {}) });
const dir = path.join(SUITE_ROOT, 'reports');
mkdirSync(dir, { recursive: true });
const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
};
write('kill-matrix.md', renderKillMatrixMarkdown(m));
write('kill-matrix.json', renderKillMatrixJson(m));
const line = (x: PropertyMatrix) => {
  const s = x.summary;
  const shrink = x.property === 'lifecycle' ? `shrunk - minimal median ${s.medianExcess} max ${s.maxExcess}` : `median shrunk steps ${s.medianShrunkSteps} (${s.medianShrunkCommands} commands)`;
  return `  ${x.property}: killed ${s.killed}/${s.total} (undeclared rule ${s.wrongRule}), false positives ${s.falsePositives}/${s.correctTotal}, median cases to kill ${s.medianCasesToKill}, ${shrink}\n`;
};
process.stdout.write(
  `kill matrix (seed ${seed}, ${((Date.now() - t0) / 1000).toFixed(1)} s):\n` +
    [m.lifecycle, m.datapath].filter((x): x is PropertyMatrix => x !== null).map(line).join('') +
    `wrote ${path.relative(process.cwd(), path.join(dir, 'kill-matrix.md'))} and kill-matrix.json\n`,
);
process.exit(m.problems === 0 ? 0 : 1);
