/**
 * The kill matrix: the suite's power, measured. For every faulty provider of the lifecycle catalog
 * and every interface version it applies to: the rule that caught it, the generated cases until
 * the first failure, the shrunk counterexample's length against the shortest one possible for the
 * bug (the catalog's `minimalSteps`); for every correct provider, whether the suite accepted it.
 * Rendered as Markdown and JSON by `npm run kill-matrix`.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { CORRECT_PROVIDERS, type CorrectEntry } from '../../candidates/correct/catalog';
import { FAULTY_LIFECYCLE, type FaultyEntry } from '../../candidates/faulty/catalog';
import {
  ALL_VERSIONS,
  CORRECT_RUNS,
  FAULTY_RUNS,
  SHRINK_SLACK,
  measureCorrect,
  measureFaulty,
  median,
  type CorrectMeasurement,
  type FaultyMeasurement,
} from '../../properties/power/measure';
import { SUITE_ROOT } from './check';

/** Options of a kill-matrix run. */
export interface KillMatrixOptions {
  readonly seed: number;
  /** Runs per faulty provider and version (default 300). */
  readonly faultyRuns?: number;
  /** Runs per correct provider and version (default 1000). */
  readonly correctRuns?: number;
  readonly faulty?: readonly FaultyEntry[];
  readonly correct?: readonly CorrectEntry[];
  /** Called after each measurement, for progress output. */
  readonly onProgress?: (what: string) => void;
}

/** Summary figures. */
export interface KillMatrixSummary {
  /** (provider, version) pairs killed, and in all. */
  readonly killed: number;
  readonly total: number;
  /** Pairs killed with a rule the catalog does not declare. */
  readonly wrongRule: number;
  readonly survivors: readonly string[];
  /** Faulty providers (by name) killed on every version they apply to. */
  readonly providersKilled: number;
  readonly providers: number;
  /** (correct provider, version) pairs rejected, and in all. */
  readonly falsePositives: number;
  readonly correctTotal: number;
  readonly falsePositiveList: readonly string[];
  readonly medianCasesToKill: number | null;
  readonly maxCasesToKill: number | null;
  readonly medianShrunkSteps: number | null;
  readonly medianMinimalSteps: number | null;
  readonly medianExcess: number | null;
  readonly maxExcess: number | null;
  /** Pairs whose shrunk counterexample is exactly as short as possible. */
  readonly atMinimum: number;
  /** Pairs longer than minimal + slack. */
  readonly overSlack: readonly string[];
  readonly slack: number;
}

/** The whole matrix. */
export interface KillMatrix {
  readonly property: 'lifecycle';
  readonly seed: number;
  readonly faultyRuns: number;
  readonly correctRuns: number;
  readonly entries: readonly FaultyMeasurement[];
  readonly correct: readonly CorrectMeasurement[];
  readonly summary: KillMatrixSummary;
  /** Notes on what the matrix does not cover (e.g. a data-path catalog it does not run). */
  readonly notes: readonly string[];
}

/** Runs every faulty and correct provider and computes the matrix. Deterministic for a seed. */
export function computeKillMatrix(opts: KillMatrixOptions): KillMatrix {
  const faultyRuns = opts.faultyRuns ?? FAULTY_RUNS;
  const correctRuns = opts.correctRuns ?? CORRECT_RUNS;
  const entries: FaultyMeasurement[] = [];
  for (const e of opts.faulty ?? FAULTY_LIFECYCLE) {
    for (const v of e.versions ?? ALL_VERSIONS) {
      entries.push(measureFaulty(e, v, { seed: opts.seed, runs: faultyRuns }));
      opts.onProgress?.(`${e.name} on ${v}`);
    }
  }
  const correct: CorrectMeasurement[] = [];
  for (const c of opts.correct ?? CORRECT_PROVIDERS) {
    for (const v of ALL_VERSIONS) {
      correct.push(measureCorrect(c, v, { seed: opts.seed, runs: correctRuns }));
      opts.onProgress?.(`${c.name} on ${v}`);
    }
  }
  const notes: string[] = [];
  if (existsSync(path.join(SUITE_ROOT, 'candidates', 'faulty', 'catalog-datapath.ts'))) {
    notes.push('candidates/faulty/catalog-datapath.ts exists: its data-path faulty providers are held against checkDatapath, not counted here (this matrix is the lifecycle property).');
  }
  return { property: 'lifecycle', seed: opts.seed, faultyRuns, correctRuns, entries, correct, summary: summarize(entries, correct), notes };
}

/** The summary figures of a set of measurements. */
export function summarize(entries: readonly FaultyMeasurement[], correct: readonly CorrectMeasurement[]): KillMatrixSummary {
  const killed = entries.filter((e) => e.killed);
  const label = (x: { name: string; version: string }) => `${x.name} (${x.version})`;
  const excess = killed.map((e) => e.excess).filter((x): x is number => x !== null);
  const byName = new Map<string, boolean>();
  for (const e of entries) byName.set(e.name, (byName.get(e.name) ?? true) && e.killed && e.expectedRule);
  const nums = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null);
  const cases = nums(killed.map((e) => e.casesToKill));
  const rejected = correct.filter((c) => !c.accepted);
  return {
    killed: killed.length,
    total: entries.length,
    wrongRule: killed.filter((e) => !e.expectedRule).length,
    survivors: entries.filter((e) => !e.killed).map(label),
    providersKilled: [...byName.values()].filter(Boolean).length,
    providers: byName.size,
    falsePositives: rejected.length,
    correctTotal: correct.length,
    falsePositiveList: rejected.map((c) => `${label(c)}: ${c.ruleId ?? `harness error: ${c.harnessError}`}`),
    medianCasesToKill: median(cases),
    maxCasesToKill: cases.length ? Math.max(...cases) : null,
    medianShrunkSteps: median(nums(killed.map((e) => e.shrunkSteps))),
    medianMinimalSteps: median(nums(entries.map((e) => e.minimalSteps))),
    medianExcess: median(excess),
    maxExcess: excess.length ? Math.max(...excess) : null,
    atMinimum: excess.filter((x) => x === 0).length,
    overSlack: killed.filter((e) => e.excess === null || e.excess > SHRINK_SLACK).map(label),
    slack: SHRINK_SLACK,
  };
}

const cell = (x: number | string | null) => (x === null ? '—' : String(x));

/** The matrix as a Markdown report. */
export function renderKillMatrixMarkdown(m: KillMatrix): string {
  const s = m.summary;
  const lines: string[] = [
    '# Kill matrix (lifecycle property)',
    '',
    `Seed ${m.seed}; ${m.faultyRuns} runs per faulty provider and version, ${m.correctRuns} per correct provider and version.`,
    'Steps count as in a counterexample: DriverEntry and AddDevice are steps, and so is every IRP and Unload.',
    '',
    '## Summary',
    '',
    '| measure | value |',
    '|---|---|',
    `| faulty providers killed (provider × version) | ${s.killed}/${s.total} |`,
    `| faulty providers killed on every version, with a declared rule | ${s.providersKilled}/${s.providers} |`,
    `| killed with an undeclared rule | ${s.wrongRule} |`,
    `| false positives (correct provider × version rejected) | ${s.falsePositives}/${s.correctTotal} |`,
    `| median cases to kill (max) | ${cell(s.medianCasesToKill)} (${cell(s.maxCasesToKill)}) |`,
    `| median shrunk / minimal steps | ${cell(s.medianShrunkSteps)} / ${cell(s.medianMinimalSteps)} |`,
    `| shrunk − minimal: median, max | ${cell(s.medianExcess)}, ${cell(s.maxExcess)} |`,
    `| shrunk counterexamples at the minimum | ${s.atMinimum}/${s.killed} |`,
    `| over minimal + ${s.slack} | ${s.overSlack.length === 0 ? 'none' : s.overSlack.join(', ')} |`,
    '',
  ];
  if (s.survivors.length) lines.push(`**Survivors:** ${s.survivors.join(', ')}`, '');
  if (s.falsePositiveList.length) lines.push(`**False positives:** ${s.falsePositiveList.join('; ')}`, '');
  for (const n of m.notes) lines.push(`> ${n}`, '');
  lines.push(
    '## Faulty providers',
    '',
    '| provider | version | caught by | expected | cases to kill | shrunk steps | minimal steps | excess | shrinks |',
    '|---|---|---|---|---:|---:|---:|---:|---:|',
    ...m.entries.map((e) =>
      `| ${e.name} | ${e.version} | ${e.killed ? e.ruleId : '**survived**'} | ${e.killed ? (e.expectedRule ? 'yes' : `**no** (${e.expects.join(', ')})`) : '—'} | ${cell(e.casesToKill)} | ${cell(e.shrunkSteps)} | ${cell(e.minimalSteps)} | ${cell(e.excess)} | ${cell(e.shrinks)} |`),
    '',
    '## Correct providers',
    '',
    '| provider | version | verdict | runs | rule |',
    '|---|---|---|---:|---|',
    ...m.correct.map((c) => `| ${c.name} | ${c.version} | ${c.accepted ? 'accepted' : '**rejected**'} | ${c.runs} | ${cell(c.ruleId)} |`),
    '',
  );
  return lines.join('\n');
}

/** The matrix as JSON (counterexample steps and replay tokens included). */
export function renderKillMatrixJson(m: KillMatrix): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}
