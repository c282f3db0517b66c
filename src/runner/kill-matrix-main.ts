/**
 * `npm run kill-matrix`: computes the kill matrix and writes reports/kill-matrix.md and
 * reports/kill-matrix.json. `--seed N` and `--runs N` (faulty runs) override the defaults;
 * NETDMA_SEED is honoured as in the tests. Exits 1 when a faulty provider survives, is caught by an
 * undeclared rule, shrinks past its slack, or a correct provider is rejected.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SEED } from '../../properties/seed';
import { SUITE_ROOT } from './check';
import { computeKillMatrix, renderKillMatrixJson, renderKillMatrixMarkdown } from './kill-matrix';

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

const seed = flag('--seed') ?? SEED;
const faultyRuns = flag('--runs');
const t0 = Date.now();
const m = computeKillMatrix({ seed, ...(faultyRuns !== undefined ? { faultyRuns } : {}) });
const dir = path.join(SUITE_ROOT, 'reports');
mkdirSync(dir, { recursive: true });
const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
};
write('kill-matrix.md', renderKillMatrixMarkdown(m));
write('kill-matrix.json', renderKillMatrixJson(m));
const s = m.summary;
process.stdout.write(
  `kill matrix (seed ${seed}, ${((Date.now() - t0) / 1000).toFixed(1)} s): killed ${s.killed}/${s.total}, false positives ${s.falsePositives}/${s.correctTotal}, ` +
    `median cases to kill ${s.medianCasesToKill}, shrunk - minimal median ${s.medianExcess} max ${s.maxExcess}\n` +
    `wrote ${path.relative(process.cwd(), path.join(dir, 'kill-matrix.md'))} and kill-matrix.json\n`,
);
const bad = s.survivors.length + s.wrongRule + s.overSlack.length + s.falsePositives;
process.exit(bad === 0 ? 0 : 1);
