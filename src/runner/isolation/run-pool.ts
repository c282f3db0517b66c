import type { PropertyCheckResult } from '../../../properties/result';
import type { WorkUnit } from '../units';
import { mergeCoverage } from './coverage';
import { runIsolated, type IsolatedOutcome, type IsolationOptions } from './run-isolated';

/**
 * Splits `units` into at most `jobs` groups, unit `i` of the plan into group `i mod jobs` (the plan
 * interleaves properties and versions chunk by chunk, so each group gets a like share of each).
 */
export function partitionUnits(units: readonly WorkUnit[], jobs: number): WorkUnit[][] {
  const n = Math.max(1, Math.min(Math.floor(jobs), units.length));
  const groups: WorkUnit[][] = Array.from({ length: n }, () => []);
  units.forEach((u, i) => groups[i % n]!.push(u));
  return groups;
}

/**
 * Runs the units in `jobs` isolated workers at once ({@link runIsolated} per group: each worker has
 * its own watchdog and heap limit), and joins what they observed into one outcome, as if one
 * worker had run every unit in plan order: results sorted by unit index, so the report is the
 * same whatever `jobs` is. A worker that stops early (watchdog, heap, interruption) marks the
 * outcome incomplete; the other workers finish their groups. A candidate that does not load in any
 * worker is a load error.
 */
export async function runIsolatedPool(candidatePath: string, units: readonly WorkUnit[], jobs: number, opts: IsolationOptions = {}): Promise<IsolatedOutcome> {
  const groups = partitionUnits(units, jobs);
  if (groups.length <= 1) return runIsolated(candidatePath, units, opts);
  const outcomes = await Promise.all(groups.map((g) => runIsolated(candidatePath, g, opts)));
  const loadError = outcomes.find((o) => o.loadError !== undefined)?.loadError;
  const results: PropertyCheckResult[] = [];
  const order = new Map(units.map((u, i) => [u, i]));
  const indexed = outcomes.flatMap((o, g) => o.results.map((r, k) => ({ r, at: order.get(groups[g]![k]!) ?? Number.MAX_SAFE_INTEGER })));
  indexed.sort((a, b) => a.at - b.at);
  for (const x of indexed) results.push(x.r);
  const errors = outcomes.flatMap((o) => o.errors);
  const stopped = outcomes.filter((o) => o.incomplete !== undefined);
  const incomplete = stopped.length === 0 ? undefined : `${results.length} of ${units.length} work units finished; ${stopped.map((o) => o.incomplete).join('; ')}`;
  const covs = outcomes.flatMap((o) => (o.coverage ? [o.coverage] : []));
  const coverage = covs.length === 0 ? undefined : covs.reduce(mergeCoverage);
  return { results, errors, ...(loadError !== undefined ? { loadError } : {}), ...(incomplete !== undefined ? { incomplete } : {}), ...(coverage ? { coverage } : {}) };
}
