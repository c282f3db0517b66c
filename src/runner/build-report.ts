import { machineCoverageOf } from '../report/machines';
import { AMBIGUITIES, RULES } from '../../spec';
import { formatFailure, type PropertyCheckResult } from '../../properties/result';
import { allTransitions } from '../model/lifecycle';
import { betterFailure, decideVerdict, SCHEMA_VERSION, warningRuleIds, type ConformanceReport, type RuleBinding, type RuleFailure, type RuleResult } from '../report';
import { applyWaivers, type WaiverSet } from '../report/waivers';
import type { CatalogRule } from '../../spec';
import type { ResolvedCandidate } from './candidate';
import type { CandidateIdentity } from './candidate-hash';
import { candidateLocation } from './location';

/** Everything a run produced, before it becomes a report. */
export interface RunOutcome {
  readonly candidate: ResolvedCandidate;
  readonly candidateArg: string;
  /** The candidate's path and source hash (absent: the report carries no hash). */
  readonly identity?: CandidateIdentity;
  readonly interfaceVersions: readonly ('1.0' | '1.1' | '2.0')[];
  readonly seed: number;
  readonly runs: number;
  readonly shard?: { readonly index: number; readonly count: number };
  /** What the run was asked to do (absent for a replay). */
  readonly options?: { readonly runs: number; readonly properties: readonly string[]; readonly failFast: boolean };
  /** Set for a replay: the token, the rule it recorded, whether the run reproduced it. */
  readonly replay?: { readonly token: string; readonly rule?: string; readonly reproduced: boolean };
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly results: readonly PropertyCheckResult[];
  readonly errors: readonly { message: string; detail?: string }[];
  readonly incomplete?: string;
  readonly suiteRoot: string;
  readonly toolVersion: string;
  readonly code?: { readonly linesPct: number; readonly dir: string };
  /** Strict run (the default; `--should-warn` turns it off): failed SHOULD rules fail the verdict instead of being warnings. */
  readonly strict?: boolean;
  /** The team's waiver file, when one applies (absent: no waivers). */
  readonly waivers?: WaiverSet;
}

/** What a failure of the catalog rule breaks: its quoted sentence (MUST/SHOULD) or its decision (DERIVED). */
export function ruleBinding(rule: CatalogRule): RuleBinding {
  if (rule.level !== 'DERIVED' && rule.quote !== undefined) return { kind: 'documentation', doc: rule.quote.doc, quote: rule.quote.text };
  return {
    kind: 'reading',
    ambiguities: rule.ambiguities.map((id) => ({ id, title: AMBIGUITIES.find((a) => a.id === id)?.title ?? id })),
    ...(rule.reading !== undefined ? { reading: rule.reading } : {}),
  };
}

/** Longest counterexample timeline kept in a report (the tail, where the violation is). */
const MAX_EVENTS = 400;

/**
 * Assembles the conformance report: one entry per rule, coverage, decisions, verdict (see
 * `decideVerdict`: a failed SHOULD rule is a warning unless the run is strict).
 */
export function buildReport(o: RunOutcome): ConformanceReport {
  const exercised = new Map<string, number>();
  const transitions = new Map<string, number>();
  const configurations = new Map<string, number>();
  const failures = new Map<string, RuleFailure>();
  const errors = [...o.errors];
  for (const r of o.results) {
    for (const [k, v] of r.exercised) exercised.set(k, (exercised.get(k) ?? 0) + v);
    for (const [k, v] of r.transitions) transitions.set(k, (transitions.get(k) ?? 0) + v);
    for (const [k, v] of r.configurations ?? []) configurations.set(k, (configurations.get(k) ?? 0) + v);
    for (const f of r.failures) {
      if (f.harnessError || !f.violation) {
        errors.push({ message: `the harness failed while checking ${r.property} on NetDMA ${r.interfaceVersion}`, detail: f.harnessError ?? 'no violation recorded' });
        continue;
      }
      const id = f.violation.ruleId;
      const location = candidateLocation(f.violation.stack, o.candidate.root, o.suiteRoot);
      const trace = f.trace.length > MAX_EVENTS ? f.trace.slice(-MAX_EVENTS) : f.trace;
      const failure: RuleFailure = {
        message: f.violation.message,
        interfaceVersion: r.interfaceVersion,
        property: r.property,
        counterexample: [...trace],
        steps: [...f.steps],
        replay: f.replay,
        replayCommand: `npx netdma-conformance check ${o.candidateArg} --replay ${f.replay}`,
        numRunsToFailure: Math.max(1, f.numRunsToFailure),
        shrinks: f.shrinks,
        ...(location ? { location } : {}),
      };
      // The same choice a shard merge makes, so merged shards equal the unsharded run.
      const prev = failures.get(id);
      failures.set(id, prev ? betterFailure(prev, failure) : failure);
    }
  }
  const found: RuleResult[] = RULES.map((rule) => {
    const hit = failures.get(rule.id);
    const base = {
      id: rule.id,
      family: rule.family,
      level: rule.level,
      statement: rule.statement,
      sources: { facts: [...rule.sources.facts], docs: [...rule.sources.docs] },
      exercised: exercised.get(rule.id) ?? 0,
      binding: ruleBinding(rule),
    };
    return hit ? { ...base, status: 'fail', failure: hit } : { ...base, status: base.exercised > 0 ? 'pass' : 'not-exercised' };
  });
  // A waived failure keeps its failure and counterexample; it only stops failing the verdict.
  const { rules, waivers } = applyWaivers(found, o.waivers, o.startedAt.toISOString().slice(0, 10));
  const edges = allTransitions().map((t) => ({ from: t.from, event: t.event, to: t.to, covered: transitions.get(`${t.from}|${t.event}|${t.to}`) ?? 0 }));
  const strict = o.strict ?? true;
  const report: ConformanceReport = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'netdma-conformance', version: o.toolVersion },
    // MUST and DERIVED failures fail the verdict; SHOULD failures are warnings unless strict.
    verdict: decideVerdict(rules, errors.length, strict),
    strict,
    warnings: warningRuleIds(rules, strict),
    ...(waivers ? { waivers } : {}),
    ...(o.incomplete ? { incomplete: { reason: o.incomplete } } : {}),
    candidate: { path: o.candidateArg, name: o.candidate.name, ...(o.identity ? { hash: o.identity.hash } : {}) },
    interfaceVersions: [...o.interfaceVersions],
    seed: o.seed,
    runs: o.results.reduce((n, r) => n + r.numRuns, 0),
    ...(o.options ? { options: { runs: o.options.runs, properties: [...o.options.properties], failFast: o.options.failFast } } : {}),
    ...(o.replay ? { replay: { ...o.replay } } : {}),
    ...(o.shard ? { shard: { index: o.shard.index, count: o.shard.count } } : {}),
    startedAt: o.startedAt.toISOString(),
    durationMs: o.durationMs,
    environment: { node: process.version, platform: `${process.platform}-${process.arch}` },
    rules,
    ambiguities: AMBIGUITIES.map((a) => ({ id: a.id, title: a.title, decision: a.decision })),
    coverage: {
      rulesExercised: rules.filter((r) => r.status !== 'not-exercised').length,
      rulesTotal: rules.length,
      transitionsCovered: edges.filter((e) => e.covered > 0).length,
      transitionsTotal: edges.length,
      transitions: edges,
      machines: machineCoverageOf(configurations),
      ...(o.code ? { code: o.code } : {}),
    },
    errors,
  };
  return report;
}

/** The human-readable failures of a run, for the console. */
export function failureTexts(results: readonly PropertyCheckResult[], candidateArg: string): string[] {
  return results.flatMap((r) => r.failures.map((f) => `[${r.property} on NetDMA ${r.interfaceVersion}] ${formatFailure(f, candidateArg)}`));
}
