/**
 * The benchmark report: rows (figure, baseline, ratio, target, met/missed), written as
 * `reports/bench.json` and `reports/bench.md` (with an inline SVG plot), and printed as a table.
 *
 * @module
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { summarize } from './stats';
import type { PairSamples, Summary } from './stats';

/** A target on a row's checked value. */
export interface Target {
  readonly op: '>=' | '<';
  readonly value: number;
}

export type Verdict = 'met' | 'missed' | 'no target';

/** Whether `value` meets `target`. */
export function verdict(value: number, target: Target | undefined): Verdict {
  if (target === undefined) return 'no target';
  const ok = target.op === '>=' ? value >= target.value : value < target.value;
  return ok ? 'met' : 'missed';
}

/** One reported figure. */
export interface BenchRow {
  readonly id: string;
  readonly figure: string;
  readonly unit: string;
  readonly baselineLabel: string;
  readonly subject: Summary;
  readonly baseline: Summary;
  /** subject / baseline per round. */
  readonly ratio: Summary;
  /** Which summary the target applies to. */
  readonly checked: 'ratio' | 'subject';
  readonly target: Target | undefined;
  readonly status: Verdict;
  readonly note?: string;
}

/** Builds a row from interleaved samples. */
export function row(
  id: string,
  figure: string,
  unit: string,
  baselineLabel: string,
  samples: PairSamples,
  checked: 'ratio' | 'subject',
  target: Target | undefined,
  note?: string,
): BenchRow {
  const subject = summarize(samples.subject);
  const baseline = summarize(samples.baseline);
  const ratio = summarize(samples.ratio);
  const value = checked === 'ratio' ? ratio.median : subject.median;
  return { id, figure, unit, baselineLabel, subject, baseline, ratio, checked, target, status: verdict(value, target), ...(note !== undefined ? { note } : {}) };
}

/** Formats a number with an SI-ish suffix. */
export function fmt(x: number, unit = ''): string {
  const a = Math.abs(x);
  const s = a >= 1e9 ? `${(x / 1e9).toFixed(2)} G` : a >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : a >= 1e4 ? `${(x / 1e3).toFixed(1)} k` : a >= 100 ? x.toFixed(0) + ' ' : a >= 1 ? x.toFixed(2) + ' ' : x.toFixed(3) + ' ';
  return `${s}${unit}`.trim();
}

function range(s: Summary, unit = ''): string {
  return `${fmt(s.median, unit)} (${fmt(s.min)}–${fmt(s.max)})`;
}

function targetText(r: BenchRow): string {
  if (r.target === undefined) return '—';
  const what = r.checked === 'ratio' ? 'ratio' : r.unit;
  return `${what} ${r.target.op === '>=' ? '≥' : '<'} ${fmt(r.target.value)}`;
}

/** Console table. */
export function table(rows: readonly BenchRow[]): string {
  const head = ['figure', 'median (min–max)', 'baseline median', 'ratio (min–max)', 'target', 'status'];
  const body = rows.map((r) => [r.figure, range(r.subject, r.unit), `${fmt(r.baseline.median, r.unit)} ${r.baselineLabel}`, range(r.ratio), targetText(r), r.status]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * A bar per targeted row: the checked median as a multiple of its target (≥ 1 means met;
 * for a `<` target, target/value), with a min–max whisker and the target line at 1.
 */
export function svgPlot(rows: readonly BenchRow[]): string {
  const targeted = rows.filter((r) => r.target !== undefined);
  const score = (r: BenchRow, v: number): number => (r.target!.op === '>=' ? v / r.target!.value : r.target!.value / v);
  const left = 250;
  const width = 760;
  const barH = 18;
  const gap = 10;
  const top = 30;
  const height = top + targeted.length * (barH + gap) + 30;
  const all = targeted.flatMap((r) => {
    const s = r.checked === 'ratio' ? r.ratio : r.subject;
    return [score(r, s.min), score(r, s.max), score(r, s.median)];
  });
  const maxScore = Math.max(2, ...all.filter(Number.isFinite));
  const x = (v: number): number => left + (Math.min(v, maxScore) / maxScore) * (width - left - 20);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<text x="${left}" y="16" fill="#333">median as a multiple of its target (whisker: min–max over the rounds; line: target)</text>`,
  ];
  targeted.forEach((r, i) => {
    const s = r.checked === 'ratio' ? r.ratio : r.subject;
    const y = top + i * (barH + gap);
    const med = score(r, s.median);
    const [lo, hi] = [score(r, s.min), score(r, s.max)].sort((a, b) => a - b) as [number, number];
    const color = r.status === 'met' ? '#2e7d32' : '#c62828';
    parts.push(`<text x="${left - 8}" y="${y + barH - 5}" text-anchor="end" fill="#222">${esc(r.figure)}</text>`);
    parts.push(`<rect x="${left}" y="${y}" width="${Math.max(1, x(med) - left).toFixed(1)}" height="${barH}" fill="${color}" opacity="0.75"/>`);
    parts.push(`<line x1="${x(lo).toFixed(1)}" x2="${x(hi).toFixed(1)}" y1="${y + barH / 2}" y2="${y + barH / 2}" stroke="#111" stroke-width="1.5"/>`);
    parts.push(`<text x="${(x(med) + 4).toFixed(1)}" y="${y + barH - 5}" fill="#111">${med.toFixed(2)}×</text>`);
  });
  const t = x(1);
  parts.push(`<line x1="${t.toFixed(1)}" x2="${t.toFixed(1)}" y1="${top - 6}" y2="${height - 24}" stroke="#1565c0" stroke-dasharray="4 3"/>`);
  parts.push(`<text x="${t.toFixed(1)}" y="${height - 8}" text-anchor="middle" fill="#1565c0">target</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

/** Everything `bench.json` holds. */
export interface BenchReport {
  readonly generatedAt: string;
  readonly node: string;
  readonly platform: string;
  readonly cpus: number;
  readonly loadAverage: readonly number[];
  readonly rounds: { readonly inProcess: number; readonly childProcess: number };
  /** Warm-up of each side of each in-process figure before calibration, in ms. */
  readonly warmupMs: number;
  readonly rows: readonly BenchRow[];
  readonly notes: readonly string[];
}

export function markdown(rep: BenchReport): string {
  const lines = [
    '# netdma-conformance benchmarks',
    '',
    `Node ${rep.node} on ${rep.platform}, ${rep.cpus} CPU(s), load average at start ${rep.loadAverage.map((l) => l.toFixed(2)).join(' / ')}; ${rep.generatedAt}.`,
    `Each figure was measured side by side with its baseline in one process, interleaved over ${rep.rounds.inProcess} rounds (child processes: ${rep.rounds.childProcess}), alternating which goes first, after ${rep.warmupMs} ms of warm-up of each side; median (min–max).`,
    '',
    '| figure | median (min–max) | baseline | baseline median | ratio median (min–max) | target | status |',
    '|---|---|---|---|---|---|---|',
    ...rep.rows.map((r) => `| ${r.figure} | ${range(r.subject, r.unit)} | ${r.baselineLabel} | ${fmt(r.baseline.median, r.unit)} | ${range(r.ratio)} | ${targetText(r)} | ${r.status === 'met' ? '**met**' : r.status === 'missed' ? '**missed**' : r.status} |`),
    '',
    svgPlot(rep.rows),
    '',
    '## Notes',
    '',
    ...rep.notes.map((n) => `- ${n}`),
    ...rep.rows.filter((r) => r.note !== undefined).map((r) => `- ${r.figure}: ${r.note}`),
    '',
  ];
  return lines.join('\n');
}

/** Writes bench.json and bench.md atomically (temporary file, then rename) into `dir`. */
export function writeBenchReports(dir: string, rep: BenchReport): string[] {
  mkdirSync(dir, { recursive: true });
  const files: Array<[string, string]> = [
    ['bench.json', JSON.stringify(rep, null, 2) + '\n'],
    ['bench.md', markdown(rep)],
  ];
  return files.map(([name, text]) => {
    const path = join(dir, name);
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, path);
    return path;
  });
}
