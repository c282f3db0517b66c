/**
 * Behaviour snapshot: a normalized digest of what the suite says about every candidate it ships,
 * so two trees can be compared byte for byte (a refactor must not change a verdict, a rule status
 * or count, a counterexample, a replay token or a trace).
 *
 * For the reference, every correct provider (candidates/correct/*), every faulty provider
 * (candidates/faulty/*.ts but the catalogs and helper) and every hostile candidate
 * (candidates/hostile/*.ts but the catalog and helper), it runs `runCheck` on seeds 1, 2 and
 * 20261123 — in this process for the reference, correct and faulty providers (`isolate: false`:
 * one module load for all, which a loaded machine needs), in the CLI's worker for hostile ones — and writes the report with wall-clock fields (startedAt,
 * durationMs, environment), the tool version and absolute paths removed. Runs per unit: 1000 for
 * the reference and the correct providers, 300 for faulty and hostile ones, unless
 * `--runs-correct N` / `--runs-faulty N` say otherwise (a loaded machine). Hostile candidates run
 * with a 1.5 s watchdog.
 *
 * Usage: `npx tsx scripts/behaviour-snapshot.ts OUT_DIR [--jobs 1] [--only SUBSTRING] [--kinds reference,correct,faulty,hostile] [--runs-correct N] [--runs-faulty N]`.
 * Writes OUT_DIR/<candidate>@<seed>.json and OUT_DIR/index.txt (one verdict line each). Compare
 * two trees with `diff -r`. The kill matrix is compared separately (`npm run kill-matrix`, then
 * reports/kill-matrix.json).
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCheck, SUITE_ROOT } from '../src/runner';

const SEEDS = [1, 2, 20261123] as const;
const SKIP = new Set(['catalog.ts', 'catalog-datapath.ts', 'faulty.ts', 'wrap.ts', 'engine-timing.ts']);

interface Job {
  readonly name: string;
  readonly candidate: string;
  readonly runs: number;
  readonly seed: number;
  readonly watchdogMs?: number;
  readonly isolate: boolean;
}

function candidates(runsCorrect: number, runsFaulty: number): { name: string; candidate: string; runs: number; isolate: boolean; watchdogMs?: number }[] {
  const out: { name: string; candidate: string; runs: number; isolate: boolean; watchdogMs?: number }[] = [];
  out.push({ name: 'reference', candidate: path.join(SUITE_ROOT, 'src', 'reference', 'index.ts'), runs: runsCorrect, isolate: false });
  const dir = (d: string) => path.join(SUITE_ROOT, 'candidates', d);
  for (const e of readdirSync(dir('correct'), { withFileTypes: true }).filter((x) => x.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    out.push({ name: `correct/${e.name}`, candidate: path.join(dir('correct'), e.name, 'index.ts'), runs: runsCorrect, isolate: false });
  }
  for (const f of readdirSync(dir('faulty')).filter((x) => x.endsWith('.ts') && !SKIP.has(x)).sort()) {
    out.push({ name: `faulty/${f.slice(0, -3)}`, candidate: path.join(dir('faulty'), f), runs: runsFaulty, isolate: false });
  }
  for (const f of readdirSync(dir('hostile')).filter((x) => x.endsWith('.ts') && !SKIP.has(x)).sort()) {
    out.push({ name: `hostile/${f.slice(0, -3)}`, candidate: path.join(dir('hostile'), f), runs: runsFaulty, isolate: true, watchdogMs: 1500 });
  }
  return out;
}

/** Replaces the suite's absolute root in every string, recursively, and drops wall-clock fields. */
function normalize(v: unknown, key = ''): unknown {
  if (typeof v === 'string') return v.split(SUITE_ROOT).join('<root>');
  if (Array.isArray(v)) return v.map((x) => normalize(x));
  if (v !== null && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === 'startedAt' || k === 'durationMs' || k === 'environment' || (key === 'tool' && k === 'version')) continue;
      o[k] = normalize(x, k);
    }
    return o;
  }
  return v;
}

async function one(job: Job, out: string): Promise<string> {
  let body: unknown;
  let line: string;
  try {
    const r = await runCheck({ candidate: job.candidate, seed: job.seed, runs: job.runs, isolate: job.isolate, ...(job.watchdogMs !== undefined ? { watchdogMs: job.watchdogMs } : {}) });
    body = { report: normalize(r.report), failures: normalize(r.failures) };
    const failed = r.report.rules.filter((x) => x.status === 'fail').map((x) => x.id);
    line = `${job.name}@${job.seed}: ${r.report.verdict} runs=${r.report.runs} failed=[${failed.join(',')}]`;
  } catch (e) {
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    body = { thrown: normalize(msg) };
    line = `${job.name}@${job.seed}: thrown ${String(normalize(msg)).split('\n')[0]}`;
  }
  writeFileSync(path.join(out, `${job.name.replace(/\//g, '__')}@${job.seed}.json`), JSON.stringify(body, null, 1) + '\n');
  return line;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const out = args[0];
  if (out === undefined) throw new Error('usage: behaviour-snapshot.ts OUT_DIR [--jobs N] [--only SUBSTRING]');
  const ji = args.indexOf('--jobs');
  const jobsN = ji >= 0 ? Number(args[ji + 1]) : 1;
  const oi = args.indexOf('--only');
  const only = oi >= 0 ? args[oi + 1] : undefined;
  const ki = args.indexOf('--kinds');
  const kinds = ki >= 0 ? (args[ki + 1] ?? '').split(',') : undefined;
  const num = (flag: string, dflt: number) => {
    const i = args.indexOf(flag);
    return i >= 0 ? Number(args[i + 1]) : dflt;
  };
  mkdirSync(out, { recursive: true });
  const jobs: Job[] = candidates(num('--runs-correct', 1000), num('--runs-faulty', 300))
    .filter((c) => only === undefined || c.name.includes(only))
    .filter((c) => kinds === undefined || kinds.includes(c.name.split('/')[0]!))
    .flatMap((c) => SEEDS.map((seed) => ({ ...c, seed })));
  const lines: string[] = new Array<string>(jobs.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= jobs.length) return;
      lines[i] = await one(jobs[i]!, out);
      process.stderr.write(`[${i + 1}/${jobs.length}] ${lines[i]}\n`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobsN) }, worker));
  writeFileSync(path.join(out, 'index.txt'), lines.join('\n') + '\n');
  process.stdout.write(`behaviour snapshot: ${jobs.length} reports (${jobs.length / SEEDS.length} candidates x ${SEEDS.length} seeds) in ${out}\n`);
}

await main();
