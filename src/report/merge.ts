/**
 * Merges the reports of a sharded run into one.
 * @module
 */
import { mergeMachineCoverage } from './machines';
import {
  INTERFACE_VERSIONS,
  SCHEMA_VERSION,
  transitionKey,
  type Ambiguity,
  type ConformanceReport,
  type Coverage,
  type ReportError,
  type ReportWaivers,
  type RuleFailure,
  type RuleResult,
  type TransitionCoverage,
} from './schema';
import { decideVerdict, warningRuleIds } from './verdict';

/** JSON with object keys sorted, for comparing and ordering plain data. */
function stable(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) {
        Object.defineProperty(out, k, { value: (v as Record<string, unknown>)[k], enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return v;
  });
}

function sameSequence(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * The order of keyed items in the merge: the shards' common order when they all agree, else
 * the keys sorted. (Either way the result does not depend on how the shards are grouped or
 * ordered, which keeps merging associative and commutative.)
 */
function mergedOrder(sequences: readonly (readonly string[])[]): string[] {
  const first = sequences[0] ?? [];
  if (sequences.every((s) => sameSequence(s, first))) return [...first];
  return [...new Set(sequences.flat())].sort();
}

/** Joins differing texts as the sorted set of their `sep`-separated parts; equal texts stay as they are. */
function mergedText(values: readonly string[], sep: string): string {
  const first = values[0] ?? '';
  if (values.every((v) => v === first)) return first;
  return [...new Set(values.flatMap((v) => v.split(sep)))].sort().join(sep);
}

function fail(message: string): never {
  throw new Error(`cannot merge reports: ${message}`);
}

/** Orders failures: fewest counterexample events, then fewest steps, then by content. Runs and merges pick failures with it alike. */
export function betterFailure(a: RuleFailure, b: RuleFailure): RuleFailure {
  if (a.counterexample.length !== b.counterexample.length) return a.counterexample.length < b.counterexample.length ? a : b;
  if (a.steps.length !== b.steps.length) return a.steps.length < b.steps.length ? a : b;
  return stable(a) <= stable(b) ? a : b;
}

function mergeRule(occurrences: readonly RuleResult[]): RuleResult {
  const first = occurrences[0]!;
  const meta = (r: RuleResult) => stable([r.family, r.level, r.statement, r.sources, r.binding ?? null]);
  for (const r of occurrences) {
    if (meta(r) !== meta(first)) fail(`rule ${first.id} has a different family, level, statement, sources or binding in different shards`);
  }
  let failure: RuleFailure | undefined;
  for (const r of occurrences) {
    if ((r.status === 'fail' || r.status === 'waived') && r.failure !== undefined) failure = failure === undefined ? r.failure : betterFailure(failure, r.failure);
  }
  // A waived failure is a failure here; the merged report's waivers are applied again afterwards.
  const status = failure !== undefined ? 'fail' : occurrences.some((r) => r.status === 'pass') ? 'pass' : 'not-exercised';
  return {
    id: first.id,
    family: first.family,
    level: first.level,
    statement: first.statement,
    status,
    sources: first.sources,
    exercised: occurrences.reduce((sum, r) => sum + r.exercised, 0),
    ...(failure !== undefined ? { failure } : {}),
    ...(first.binding !== undefined ? { binding: first.binding } : {}),
  };
}

/**
 * The shards' waiver file applied to the merged rules: a failed rule is waived when the file waives
 * it and no shard found the waiver expired. Every entry's state is recomputed from the merged rules.
 */
function mergeWaivers(reports: readonly ConformanceReport[], rules: readonly RuleResult[]): { rules: RuleResult[]; waivers?: ReportWaivers } {
  const w = reports[0]!.waivers;
  if (w === undefined) return { rules: [...rules] };
  const expired = new Set(reports.flatMap((r) => (r.waivers?.entries ?? []).filter((e) => e.state === 'expired').map((e) => e.rule)));
  const byRule = new Map(w.entries.map((e) => [e.rule, e]));
  const out = rules.map((r): RuleResult => {
    const e = byRule.get(r.id);
    if (r.status !== 'fail' || e === undefined || expired.has(r.id)) return r;
    return { ...r, status: 'waived', waiver: { reason: e.reason, ...(e.expires !== undefined ? { expires: e.expires } : {}) } };
  });
  const waived = new Set(out.filter((r) => r.status === 'waived').map((r) => r.id));
  const entries = w.entries.map((e) => ({ ...e, state: expired.has(e.rule) ? ('expired' as const) : waived.has(e.rule) ? ('applied' as const) : ('unused' as const) }));
  return { rules: out, waivers: { file: w.file, sha256: w.sha256, entries } };
}

function mergeKeyed<T>(lists: readonly (readonly T[])[], key: (t: T) => string, combine: (items: T[]) => T): T[] {
  const groups = new Map<string, T[]>();
  for (const list of lists) {
    for (const item of list) {
      const k = key(item);
      const g = groups.get(k);
      if (g === undefined) groups.set(k, [item]);
      else g.push(item);
    }
  }
  return mergedOrder(lists.map((l) => l.map(key))).map((k) => combine(groups.get(k)!));
}

function mergeCoverage(reports: readonly ConformanceReport[], rules: readonly RuleResult[]): Coverage {
  const transitions = mergeKeyed<TransitionCoverage>(
    reports.map((r) => r.coverage.transitions),
    transitionKey,
    (items) => ({ from: items[0]!.from, event: items[0]!.event, to: items[0]!.to, covered: items.reduce((s, t) => s + t.covered, 0) }),
  );
  const machines = mergeMachineCoverage(reports.map((r) => r.coverage.machines));
  let code: Coverage['code'];
  for (const r of reports) {
    const c = r.coverage.code;
    if (c === undefined) continue;
    if (code === undefined || c.linesPct > code.linesPct || (c.linesPct === code.linesPct && c.dir < code.dir)) code = c;
  }
  return {
    rulesExercised: rules.filter((r) => r.status !== 'not-exercised').length,
    rulesTotal: rules.length,
    transitionsCovered: transitions.filter((t) => t.covered > 0).length,
    transitionsTotal: transitions.length,
    transitions,
    ...(machines !== undefined ? { machines } : {}),
    ...(code !== undefined ? { code: { linesPct: code.linesPct, dir: code.dir } } : {}),
  };
}

function mergeErrors(reports: readonly ConformanceReport[]): ReportError[] {
  const lists = reports.map((r) => r.errors.map(stable));
  const first = lists[0] ?? [];
  if (lists.every((l) => sameSequence(l, first))) return [...reports[0]!.errors];
  const byKey = new Map<string, ReportError>();
  for (const r of reports) for (const e of r.errors) byKey.set(stable(e), e);
  return [...byKey.keys()].sort().map((k) => byKey.get(k)!);
}

/** The shards a report holds: its own, the ones a partial merge recorded, or none (an unsharded run). */
function heldShards(r: ConformanceReport): { count: number; indices: number[] } | undefined {
  if (r.shard !== undefined) return { count: r.shard.count, indices: [r.shard.index] };
  if (r.shards !== undefined) return { count: r.shards.count, indices: [...r.shards.indices] };
  return undefined;
}

function describeOptions(r: ConformanceReport): string {
  return r.options === undefined ? 'no recorded options' : `--runs ${r.options.runs}, properties ${r.options.properties.join(',')}${r.options.failFast ? ', --fail-fast' : ''}`;
}

/**
 * Refuses reports that are not shards of one run: a replay; differing tool, seed, candidate (path,
 * name or source hash), interface versions, strictness or options (runs, properties,
 * `--fail-fast`); sharded and unsharded runs mixed; more than one unsharded run; differing shard
 * counts; a shard given twice. Returns the shard set the merge holds (undefined: unsharded).
 */
function checkSameRun(reports: readonly ConformanceReport[]): { count: number; indices: number[] } | undefined {
  const first = reports[0]!;
  reports.forEach((r, i) => {
    const which = `report ${i + 1}`;
    if (r.schemaVersion !== SCHEMA_VERSION) fail(`${which} has schema version ${String(r.schemaVersion)}, expected ${SCHEMA_VERSION} (written by an older netdma-conformance: rerun that shard)`);
    if (r.replay !== undefined) fail(`${which} is a replay of one counterexample (check --replay), not a shard of a run`);
    if (r.strict !== first.strict) {
      fail(`${which} was ${r.strict ? 'not ' : ''}run with --should-warn, report 1 was${first.strict ? ' not' : ''}: shards of one run must agree on --should-warn (rerun the shards alike)`);
    }
    if (r.tool.name !== first.tool.name || r.tool.version !== first.tool.version) {
      fail(`${which} was written by ${r.tool.name} ${r.tool.version}, report 1 by ${first.tool.name} ${first.tool.version}`);
    }
    if (r.seed !== first.seed) fail(`${which} has seed ${r.seed}, report 1 has seed ${first.seed}: not shards of the same run`);
    if (r.candidate.path !== first.candidate.path || r.candidate.name !== first.candidate.name) {
      fail(`${which} is about candidate ${JSON.stringify(r.candidate.path)}, report 1 about ${JSON.stringify(first.candidate.path)}: not shards of the same run`);
    }
    if (r.candidate.hash !== first.candidate.hash) {
      fail(`${which} checked candidate source ${r.candidate.hash ?? '(no hash)'}, report 1 checked ${first.candidate.hash ?? '(no hash)'}: the candidate changed between shards (rerun them on one version)`);
    }
    const versions = [...new Set(r.interfaceVersions)].sort().join(',');
    const firstVersions = [...new Set(first.interfaceVersions)].sort().join(',');
    if (versions !== firstVersions) {
      fail(`${which} checked interface versions ${versions}, report 1 checked ${firstVersions}: not shards of the same run`);
    }
    if ((r.waivers?.sha256 ?? null) !== (first.waivers?.sha256 ?? null)) {
      const used = (x: ConformanceReport) => (x.waivers === undefined ? 'no waiver file' : `waiver file ${x.waivers.file} (${x.waivers.sha256})`);
      fail(`${which} used ${used(r)}, report 1 used ${used(first)}: shards of one run must carry the same waivers (rerun the shards with the same netdma-conformance.json)`);
    }
    if (stable(r.options ?? null) !== stable(first.options ?? null)) {
      fail(`${which} ran with ${describeOptions(r)}, report 1 with ${describeOptions(first)}: not shards of the same run`);
    }
  });
  const held = reports.map(heldShards);
  const sharded = held.findIndex((h) => h !== undefined);
  const unsharded = held.findIndex((h) => h === undefined);
  if (sharded !== -1 && unsharded !== -1) {
    const h = held[sharded]!;
    fail(`report ${unsharded + 1} is an unsharded run and report ${sharded + 1} is shard ${h.indices[0]! + 1}/${h.count}: a run is merged from its shards only, not mixed with an unsharded run`);
  }
  if (sharded === -1) {
    if (reports.length > 1) fail(`reports 1 and ${reports.length === 2 ? 2 : `2..${reports.length}`} are all unsharded runs: merge joins the shards (--shard i/n) of one run, and an unsharded run is already whole`);
    return undefined;
  }
  const counts = new Set(held.map((h) => h!.count));
  if (counts.size > 1) fail(`the shards disagree on the shard count (${[...counts].join(', ')})`);
  const count = held[0]!.count;
  const seen = new Set<number>();
  for (const h of held) {
    for (const index of h!.indices) {
      if (seen.has(index)) fail(`shard ${index + 1}/${count} is given twice`);
      seen.add(index);
    }
  }
  return { count, indices: [...seen].sort((a, b) => a - b) };
}

/** Options of {@link mergeReports}. */
export interface MergeOptions {
  /**
   * Allow a merge of only some shards of a run. The result records the shards it holds
   * (`shards`) and can be merged on with the rest; it is not the run's verdict. Default false:
   * an incomplete shard set is refused.
   */
  readonly partial?: boolean;
}

/**
 * Merges the reports of the shards of one run (same seed, candidate and its source hash,
 * interface versions, strictness and options) into one report without a `shard` field. Every
 * shard `1..n` must be there exactly once (else the merge is refused, naming what is missing,
 * unless `opts.partial`); sharded and unsharded runs do not mix; a replay is no shard.
 *
 * - a rule fails if it failed in any shard (keeping the failure with the fewest counterexample
 *   events), passes if it passed in some shard and failed in none, else is not exercised;
 *   `exercised` counts are summed;
 * - coverage transitions are merged by `(from, event, to)`, summing counts; code coverage is the
 *   best shard's (a lower bound of the union);
 * - `runs` are summed; `startedAt` is the earliest start, `durationMs` the longest shard's;
 * - errors, ambiguity decisions and incompleteness reasons are combined;
 * - the shards must carry the same waiver file (same sha256, or none): the merged report keeps it,
 *   a rule failed in any shard is waived when the file waives it (and no shard found the waiver
 *   expired), and each waiver's state (applied, unused, expired) is recomputed;
 * - the verdict is recomputed as a run decides it: `error` if any shard errored, else
 *   `nonconformant` if a MUST or DERIVED rule failed (or, in a strict run, any rule), else
 *   `conformant`; `warnings` lists the failed SHOULD rules of a non-strict run. Shards must all
 *   be strict or all not (else the merge is refused).
 *
 * Merging is commutative and associative (with `partial` for the groupings in between); merging
 * one unsharded report, or the only shard of `--shard 1/1`, gives it back without `shard`.
 *
 * @throws Error if `reports` is empty, the reports are not shards of the same run, or (without
 *   `partial`) a shard is missing.
 */
export function mergeReports(reports: readonly ConformanceReport[], opts: MergeOptions = {}): ConformanceReport {
  if (reports.length === 0) fail('no reports given');
  const held = checkSameRun(reports);
  const missing = held === undefined ? [] : Array.from({ length: held.count }, (_, i) => i).filter((i) => !held.indices.includes(i));
  if (missing.length > 0 && opts.partial !== true) {
    fail(`${missing.map((i) => `shard ${i + 1}/${held!.count}`).join(', ')} missing: a merge of some shards is not the run's verdict (give every shard's report directory)`);
  }
  const first = reports[0]!;

  const { rules, waivers } = mergeWaivers(
    reports,
    mergeKeyed(
      reports.map((r) => r.rules),
      (r) => r.id,
      mergeRule,
    ),
  );
  const ambiguities = mergeKeyed<Ambiguity>(
    reports.map((r) => r.ambiguities),
    (a) => a.id,
    (items) => {
      for (const a of items) if (stable(a) !== stable(items[0])) fail(`ambiguity ${items[0]!.id} differs between shards`);
      return items[0]!;
    },
  );
  const versionLists = reports.map((r) => r.interfaceVersions);
  const interfaceVersions = versionLists.every((v) => sameSequence(v, versionLists[0]!))
    ? [...first.interfaceVersions]
    : INTERFACE_VERSIONS.filter((v) => first.interfaceVersions.includes(v));

  const errors = mergeErrors(reports);
  const strict = first.strict;
  const verdict = decideVerdict(rules, reports.some((r) => r.verdict === 'error') ? Math.max(1, errors.length) : errors.length, strict);
  const reasons = reports.flatMap((r) => (r.incomplete !== undefined ? [r.incomplete.reason] : []));

  let startedAt = first.startedAt;
  for (const r of reports) {
    const a = Date.parse(r.startedAt);
    const b = Date.parse(startedAt);
    if (a < b || (a === b && r.startedAt < startedAt)) startedAt = r.startedAt;
  }

  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: first.tool.name, version: first.tool.version },
    verdict,
    strict,
    warnings: warningRuleIds(rules, strict),
    ...(waivers !== undefined ? { waivers } : {}),
    ...(reasons.length > 0 ? { incomplete: { reason: mergedText(reasons, '\n') } } : {}),
    candidate: { path: first.candidate.path, name: first.candidate.name, ...(first.candidate.hash !== undefined ? { hash: first.candidate.hash } : {}) },
    interfaceVersions,
    seed: first.seed,
    ...(first.options !== undefined ? { options: { runs: first.options.runs, properties: [...first.options.properties], failFast: first.options.failFast } } : {}),
    ...(missing.length > 0 ? { shards: { count: held!.count, indices: held!.indices } } : {}),
    runs: reports.reduce((s, r) => s + r.runs, 0),
    startedAt,
    durationMs: Math.max(...reports.map((r) => r.durationMs)),
    environment: {
      node: mergedText(
        reports.map((r) => r.environment.node),
        ' | ',
      ),
      platform: mergedText(
        reports.map((r) => r.environment.platform),
        ' | ',
      ),
    },
    rules,
    ambiguities,
    coverage: mergeCoverage(reports, rules),
    errors,
  };
}
