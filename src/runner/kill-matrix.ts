/**
 * The kill matrix: the suite's power, measured, for both properties.
 *
 * - Lifecycle (candidates/faulty/catalog.ts): for every faulty provider and every interface version
 *   it applies to, the rule that caught it, the generated cases until the first failure, and the
 *   shrunk counterexample's length against the shortest one possible for the bug (`minimalSteps`).
 * - Data path (candidates/faulty/catalog-datapath.ts): the same through `checkDatapath`, without a
 *   declared minimum (the shrunk counterexample's steps and generated commands are reported).
 * - The correct providers under both properties: a rejection is a false positive.
 *
 * Rendered as Markdown and JSON by `npm run kill-matrix`.
 *
 * @module
 */
import { CORRECT_PROVIDERS, type CorrectEntry } from '../../candidates/correct/catalog';
import { FAULTY_LIFECYCLE, type FaultyEntry } from '../../candidates/faulty/catalog';
import { FAULTY_DATAPATH } from '../../candidates/faulty/catalog-datapath';
import {
  ALL_VERSIONS,
  CORRECT_DATAPATH_RUNS,
  CORRECT_RUNS,
  FAULTY_RUNS,
  SHRINK_SLACK,
  measureCorrect,
  measureCorrectDatapath,
  measureFaulty,
  measureFaultyDatapath,
  median,
  type CorrectMeasurement,
  type FaultyMeasurement,
  type PowerProperty,
} from '../../properties/power/measure';

/** Options of a kill-matrix run. */
export interface KillMatrixOptions {
  readonly seed: number;
  /** Runs per faulty provider and version, both properties (default 300). */
  readonly faultyRuns?: number;
  /** Lifecycle runs per correct provider and version (default 1000). */
  readonly correctRuns?: number;
  /** Data-path runs per correct provider and version (default 500). */
  readonly correctDatapathRuns?: number;
  /** The lifecycle catalog (default FAULTY_LIFECYCLE). */
  readonly faulty?: readonly FaultyEntry[];
  /** The data-path catalog (default FAULTY_DATAPATH). */
  readonly faultyDatapath?: readonly FaultyEntry[];
  readonly correct?: readonly CorrectEntry[];
  /** Which properties to measure (default both). */
  readonly properties?: readonly PowerProperty[];
  /** Called after each measurement, for progress output. */
  readonly onProgress?: (what: string) => void;
}

/** Summary figures of one property. */
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
  /** Data path only: median generated commands in the shrunk input (null for lifecycle). */
  readonly medianShrunkCommands: number | null;
  /** Lifecycle only (null for the data path, whose catalog declares no minimum). */
  readonly medianMinimalSteps: number | null;
  readonly medianExcess: number | null;
  readonly maxExcess: number | null;
  /** Pairs whose shrunk counterexample is exactly as short as possible (lifecycle). */
  readonly atMinimum: number;
  /** Pairs longer than minimal + slack (lifecycle; always empty for the data path). */
  readonly overSlack: readonly string[];
  readonly slack: number;
}

/** One property's part of the matrix. */
export interface PropertyMatrix {
  readonly property: PowerProperty;
  readonly faultyRuns: number;
  readonly correctRuns: number;
  readonly entries: readonly FaultyMeasurement[];
  readonly correct: readonly CorrectMeasurement[];
  readonly summary: KillMatrixSummary;
}

/** The whole matrix. */
export interface KillMatrix {
  readonly seed: number;
  /** The lifecycle property (null when not measured). */
  readonly lifecycle: PropertyMatrix | null;
  /** The data-path property (null when not measured). */
  readonly datapath: PropertyMatrix | null;
  /** Everything that needs a person's attention, over both properties; 0 for a healthy suite. */
  readonly problems: number;
  readonly notes: readonly string[];
}

function measureProperty(property: PowerProperty, opts: KillMatrixOptions): PropertyMatrix {
  const lifecycle = property === 'lifecycle';
  const faultyRuns = opts.faultyRuns ?? FAULTY_RUNS;
  const correctRuns = lifecycle ? (opts.correctRuns ?? CORRECT_RUNS) : (opts.correctDatapathRuns ?? CORRECT_DATAPATH_RUNS);
  const measure = lifecycle ? measureFaulty : measureFaultyDatapath;
  const accept = lifecycle ? measureCorrect : measureCorrectDatapath;
  const entries: FaultyMeasurement[] = [];
  for (const e of (lifecycle ? opts.faulty : opts.faultyDatapath) ?? (lifecycle ? FAULTY_LIFECYCLE : FAULTY_DATAPATH)) {
    for (const v of e.versions ?? ALL_VERSIONS) {
      entries.push(measure(e, v, { seed: opts.seed, runs: faultyRuns }));
      opts.onProgress?.(`${property}: ${e.name} on ${v}`);
    }
  }
  const correct: CorrectMeasurement[] = [];
  for (const c of opts.correct ?? CORRECT_PROVIDERS) {
    for (const v of ALL_VERSIONS) {
      correct.push(accept(c, v, { seed: opts.seed, runs: correctRuns }));
      opts.onProgress?.(`${property}: ${c.name} on ${v}`);
    }
  }
  return { property, faultyRuns, correctRuns, entries, correct, summary: summarize(entries, correct) };
}

/** The number of findings in one property's summary that make the matrix fail. */
export function problemsOf(s: KillMatrixSummary): number {
  return s.survivors.length + s.wrongRule + s.overSlack.length + s.falsePositives;
}

/** Runs every faulty and correct provider under each property and computes the matrix. Deterministic for a seed. */
export function computeKillMatrix(opts: KillMatrixOptions): KillMatrix {
  const wanted = opts.properties ?? ['lifecycle', 'datapath'];
  const lifecycle = wanted.includes('lifecycle') ? measureProperty('lifecycle', opts) : null;
  const datapath = wanted.includes('datapath') ? measureProperty('datapath', opts) : null;
  const notes: string[] = [];
  if (datapath) {
    notes.push('Data-path entries declare no minimal counterexample: their shrunk length is reported (steps as the failure lists them, and the generated commands left), not held against a minimum.');
  }
  const problems = (lifecycle ? problemsOf(lifecycle.summary) : 0) + (datapath ? problemsOf(datapath.summary) : 0);
  return { seed: opts.seed, lifecycle, datapath, problems, notes };
}

/** The summary figures of a set of measurements (of one property). */
export function summarize(entries: readonly FaultyMeasurement[], correct: readonly CorrectMeasurement[]): KillMatrixSummary {
  const killed = entries.filter((e) => e.killed);
  const label = (x: { name: string; version: string }) => `${x.name} (${x.version})`;
  const excess = killed.map((e) => e.excess).filter((x): x is number => x !== null);
  const byName = new Map<string, boolean>();
  for (const e of entries) byName.set(e.name, (byName.get(e.name) ?? true) && e.killed && e.expectedRule);
  const nums = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null);
  const cases = nums(killed.map((e) => e.casesToKill));
  const rejected = correct.filter((c) => !c.accepted);
  // Only lifecycle entries declare a minimum; a lifecycle kill without one is itself over the slack.
  const bounded = killed.filter((e) => e.property === 'lifecycle');
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
    medianShrunkCommands: median(nums(killed.map((e) => e.shrunkCommands))),
    medianMinimalSteps: median(nums(entries.map((e) => e.minimalSteps))),
    medianExcess: median(excess),
    maxExcess: excess.length ? Math.max(...excess) : null,
    atMinimum: excess.filter((x) => x === 0).length,
    overSlack: bounded.filter((e) => e.excess === null || e.excess > SHRINK_SLACK).map(label),
    slack: SHRINK_SLACK,
  };
}

const cell = (x: number | string | null) => (x === null ? '—' : String(x));
const TITLE: Record<PowerProperty, string> = { lifecycle: 'lifecycle', datapath: 'data-path' };

function summaryRows(ms: readonly PropertyMatrix[]): string[] {
  const row = (label: string, f: (m: PropertyMatrix) => string) => `| ${label} | ${ms.map(f).join(' | ')} |`;
  const s = (m: PropertyMatrix) => m.summary;
  return [
    `| measure | ${ms.map((m) => TITLE[m.property]).join(' | ')} |`,
    `|---|${ms.map(() => '---').join('|')}|`,
    row('runs per faulty provider and version / per correct provider and version', (m) => `${m.faultyRuns} / ${m.correctRuns}`),
    row('faulty providers killed (provider × version)', (m) => `${s(m).killed}/${s(m).total}`),
    row('faulty providers killed on every version, with a declared rule', (m) => `${s(m).providersKilled}/${s(m).providers}`),
    row('killed with an undeclared rule', (m) => String(s(m).wrongRule)),
    row('false positives (correct provider × version rejected)', (m) => `${s(m).falsePositives}/${s(m).correctTotal}`),
    row('median cases to kill (max)', (m) => `${cell(s(m).medianCasesToKill)} (${cell(s(m).maxCasesToKill)})`),
    row('median shrunk steps', (m) => cell(s(m).medianShrunkSteps)),
    row('median shrunk commands', (m) => cell(s(m).medianShrunkCommands)),
    row('median minimal steps', (m) => cell(s(m).medianMinimalSteps)),
    row('shrunk − minimal: median, max', (m) => (m.property === 'lifecycle' ? `${cell(s(m).medianExcess)}, ${cell(s(m).maxExcess)}` : '—')),
    row('shrunk counterexamples at the minimum', (m) => (m.property === 'lifecycle' ? `${s(m).atMinimum}/${s(m).killed}` : '—')),
    row(`over minimal + ${SHRINK_SLACK}`, (m) => (m.property === 'lifecycle' ? (s(m).overSlack.length === 0 ? 'none' : s(m).overSlack.join(', ')) : '—')),
  ];
}

function faultyTable(m: PropertyMatrix): string[] {
  const expected = (e: FaultyMeasurement) => (e.killed ? (e.expectedRule ? 'yes' : `**no** (${e.expects.join(', ')})`) : '—');
  const caught = (e: FaultyMeasurement) => (e.killed ? String(e.ruleId) : e.harnessError ? `**harness error**` : '**survived**');
  if (m.property === 'lifecycle') {
    return [
      '| provider | version | caught by | expected | cases to kill | shrunk steps | minimal steps | excess | shrinks |',
      '|---|---|---|---|---:|---:|---:|---:|---:|',
      ...m.entries.map((e) => `| ${e.name} | ${e.version} | ${caught(e)} | ${expected(e)} | ${cell(e.casesToKill)} | ${cell(e.shrunkSteps)} | ${cell(e.minimalSteps)} | ${cell(e.excess)} | ${cell(e.shrinks)} |`),
    ];
  }
  return [
    '| provider | version | caught by | expected | cases to kill | shrunk steps | shrunk commands | minimal steps | shrinks |',
    '|---|---|---|---|---:|---:|---:|---:|---:|',
    ...m.entries.map((e) => `| ${e.name} | ${e.version} | ${caught(e)} | ${expected(e)} | ${cell(e.casesToKill)} | ${cell(e.shrunkSteps)} | ${cell(e.shrunkCommands)} | — | ${cell(e.shrinks)} |`),
  ];
}

/** The matrix as a Markdown report. */
export function renderKillMatrixMarkdown(m: KillMatrix): string {
  const ms = [m.lifecycle, m.datapath].filter((x): x is PropertyMatrix => x !== null);
  const lines: string[] = [
    `# Kill matrix (${ms.map((x) => `${TITLE[x.property]} property`).join(', ')})`,
    '',
    `Seed ${m.seed}. ${ms.map((x) => `${TITLE[x.property]}: ${x.faultyRuns} runs per faulty provider and version, ${x.correctRuns} per correct provider and version`).join('; ')}.`,
    'Lifecycle steps count as in a counterexample: DriverEntry and AddDevice are steps, and so is every IRP and Unload. Data-path steps are the lines of the shrunk failure (IRPs, NetDMA client calls, engine steps); commands are the generated commands left after shrinking.',
    '',
    '## Summary',
    '',
    ...summaryRows(ms),
    '',
  ];
  for (const x of ms) {
    const s = x.summary;
    if (s.survivors.length) lines.push(`**Survivors (${TITLE[x.property]}):** ${s.survivors.join(', ')}`, '');
    if (s.falsePositiveList.length) lines.push(`**False positives (${TITLE[x.property]}):** ${s.falsePositiveList.join('; ')}`, '');
  }
  for (const n of m.notes) lines.push(`> ${n}`, '');
  for (const x of ms) {
    lines.push(`## Faulty providers: ${TITLE[x.property]} property${x.property === 'lifecycle' ? ' (candidates/faulty/catalog.ts)' : ' (candidates/faulty/catalog-datapath.ts)'}`, '', ...faultyTable(x), '');
  }
  const byKey = new Map<string, Partial<Record<PowerProperty, CorrectMeasurement>>>();
  for (const x of ms) for (const c of x.correct) byKey.set(`${c.name}\u0000${c.version}`, { ...byKey.get(`${c.name}\u0000${c.version}`), [x.property]: c });
  const verdict = (c: CorrectMeasurement | undefined) => (c === undefined ? '—' : c.accepted ? `accepted (${c.runs})` : `**rejected**: ${c.ruleId ?? `harness error: ${c.harnessError}`} (after ${c.runs})`);
  lines.push(
    '## Correct providers (false positives)',
    '',
    `| provider | version | ${ms.map((x) => `${TITLE[x.property]} (runs)`).join(' | ')} |`,
    `|---|---|${ms.map(() => '---').join('|')}|`,
    ...[...byKey].map(([key, by]) => {
      const [name, version] = key.split('\u0000');
      return `| ${name} | ${version} | ${ms.map((x) => verdict(by[x.property])).join(' | ')} |`;
    }),
    '',
  );
  return lines.join('\n');
}

/** The matrix as JSON (counterexample steps and replay tokens included). */
export function renderKillMatrixJson(m: KillMatrix): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}
