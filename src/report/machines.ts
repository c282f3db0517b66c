/**
 * The machine configurations a run exercised (issue 13), as the reports list them: from the
 * properties' `dimension=value` run counts to sorted {@link MachineCoverage} entries, merged across
 * shards, shown in one line per dimension, and held against `--require-config`.
 *
 * @module
 */
import type { MachineCoverage } from './schema';

/** The dimensions, in report order. */
export const MACHINE_DIMENSION_ORDER = ['channels', 'cpus', 'interrupts', 'memory', 'xfercap'] as const;

/** How each dimension is named in a sentence. */
const DIMENSION_TITLE: Readonly<Record<MachineCoverage['dimension'], string>> = {
  channels: 'engine channels',
  cpus: 'processors',
  interrupts: 'interrupts',
  memory: 'memory',
  xfercap: 'XFERCAP (log2)',
};

const order = (d: MachineCoverage['dimension']): number => MACHINE_DIMENSION_ORDER.indexOf(d);

/** Values sort numerically when both are numbers, else as the fixed order of the enumerated ones. */
const VALUE_ORDER = ['msix', 'msi', 'line', 'below-4GiB', 'above-4GiB'];
function compareValues(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return VALUE_ORDER.indexOf(a) - VALUE_ORDER.indexOf(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Sorted entries from `dimension=value` run counts (keys of an unknown dimension are dropped). */
export function machineCoverageOf(counts: ReadonlyMap<string, number>): MachineCoverage[] {
  const out: MachineCoverage[] = [];
  for (const [key, runs] of counts) {
    const at = key.indexOf('=');
    const dimension = key.slice(0, at) as MachineCoverage['dimension'];
    if (at <= 0 || order(dimension) < 0 || runs < 1) continue;
    out.push({ dimension, value: key.slice(at + 1), runs });
  }
  return sortMachineCoverage(out);
}

/** Entries in report order: by dimension, then by value. */
export function sortMachineCoverage(list: readonly MachineCoverage[]): MachineCoverage[] {
  return [...list].sort((a, b) => order(a.dimension) - order(b.dimension) || compareValues(a.value, b.value));
}

/** Merges shards' lists: runs summed per (dimension, value). */
export function mergeMachineCoverage(lists: readonly (readonly MachineCoverage[] | undefined)[]): MachineCoverage[] | undefined {
  if (lists.every((l) => l === undefined)) return undefined;
  const counts = new Map<string, number>();
  for (const l of lists) for (const m of l ?? []) counts.set(`${m.dimension}=${m.value}`, (counts.get(`${m.dimension}=${m.value}`) ?? 0) + m.runs);
  return machineCoverageOf(counts);
}

/** One line per dimension: `engine channels: 1 (12 runs), 4 (300 runs), ...`. */
export function machineCoverageLines(list: readonly MachineCoverage[]): string[] {
  const out: string[] = [];
  for (const d of MACHINE_DIMENSION_ORDER) {
    const values = list.filter((m) => m.dimension === d);
    if (values.length === 0) continue;
    out.push(`${DIMENSION_TITLE[d]}: ${values.map((m) => `${m.value} (${m.runs} run${m.runs === 1 ? '' : 's'})`).join(', ')}`);
  }
  return out;
}

/** A configuration `--require-config` asks for: `dimension=value`. */
export interface RequiredConfiguration {
  readonly dimension: MachineCoverage['dimension'];
  readonly value: string;
}

/**
 * What `--require-config default` stands for: the corners of the machine space — one channel, 16
 * channels, a count past a 4-entry table (5), one processor, more than 32 (33) and 64, each
 * interrupt mode, and memory on both sides of 4 GiB.
 */
export const DEFAULT_REQUIRED_CONFIGURATIONS: readonly RequiredConfiguration[] = [
  { dimension: 'channels', value: '1' },
  { dimension: 'channels', value: '5' },
  { dimension: 'channels', value: '16' },
  { dimension: 'cpus', value: '1' },
  { dimension: 'cpus', value: '33' },
  { dimension: 'cpus', value: '64' },
  { dimension: 'interrupts', value: 'msix' },
  { dimension: 'interrupts', value: 'msi' },
  { dimension: 'interrupts', value: 'line' },
  { dimension: 'memory', value: 'below-4GiB' },
  { dimension: 'memory', value: 'above-4GiB' },
];

/** Why `spec` is not a configuration `--require-config` understands, or null when it is. */
export function requiredConfigurationProblem(spec: string): string | null {
  const at = spec.indexOf('=');
  const dimension = spec.slice(0, at);
  const value = spec.slice(at + 1);
  if (at <= 0 || !(MACHINE_DIMENSION_ORDER as readonly string[]).includes(dimension)) {
    return `'${spec}' is not dimension=value (dimensions: ${MACHINE_DIMENSION_ORDER.join(', ')}; or 'default')`;
  }
  const ok =
    dimension === 'interrupts' ? ['msix', 'msi', 'line'].includes(value)
    : dimension === 'memory' ? ['below-4GiB', 'above-4GiB'].includes(value)
    : dimension === 'channels' ? /^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 16
    : dimension === 'cpus' ? /^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 64
    : /^\d+$/.test(value) && Number(value) <= 31;
  if (!ok) {
    const allowed = dimension === 'interrupts' ? 'msix, msi or line' : dimension === 'memory' ? 'below-4GiB or above-4GiB' : dimension === 'channels' ? '1..16' : dimension === 'cpus' ? '1..64' : '0..31';
    return `'${spec}': ${dimension} must be ${allowed}`;
  }
  return null;
}

/** The required configurations no run used (empty when all were exercised). */
export function missingConfigurations(list: readonly MachineCoverage[] | undefined, required: readonly RequiredConfiguration[]): RequiredConfiguration[] {
  return required.filter((r) => !(list ?? []).some((m) => m.dimension === r.dimension && m.value === r.value && m.runs > 0));
}
